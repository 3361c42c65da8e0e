//! The questions no static analysis can answer (rule-catalog §7, and the ML Test Score
//! tests that code cannot show), for the reviewer to tick by hand: listed so that it is
//! clear they were considered and not forgotten.

use super::model::Question;

/// (topic, question, source), in the report's order.
const QUESTIONS: &[(&str, &str, &str)] = &[
    (
        "Hidden feedback loops",
        "Can the model's predictions change the data it will be retrained on, directly or \
         through another system (recommendations shaping clicks, fraud blocks shaping labels)?",
        "Sculley et al. §4",
    ),
    (
        "Undeclared consumers",
        "Who else reads this model's predictions or artifacts (other services, dashboards, \
         other teams' repositories), and will they be told before it changes?",
        "Sculley et al. §2",
    ),
    (
        "Feature value",
        "Does every feature earn its place (ablation or importance checked), and is any \
         feature too costly to compute or keep fresh for what it adds?",
        "ML Test Score Data 2, Data 3; Sculley et al. §3",
    ),
    (
        "Correlated and bundled features",
        "Were correlated, bundled or epsilon features pruned, with data to show it?",
        "Sculley et al. §3",
    ),
    (
        "Offline and online metrics",
        "Is the offline metric shown to move with the business metric the model is meant to \
         improve (an A/B test or a backtest)?",
        "ML Test Score Model 2",
    ),
    (
        "Staleness",
        "How fast does the model decay, is that measured, and is retraining scheduled to match?",
        "ML Test Score Model 4, Monitor 4",
    ),
    (
        "Canary and rollback",
        "Is a new model served to a small share of traffic first, and can the previous model \
         be restored in minutes?",
        "ML Test Score Infra 6, Infra 7",
    ),
    (
        "Monitoring thresholds",
        "Are the drift and quality alerts' thresholds set from data, routed to someone on call, \
         and tested?",
        "Sculley et al. §7",
    ),
    (
        "Action limits",
        "Are there limits on what the model's decisions can do (caps, rate limits, a human in \
         the loop) if it goes wrong?",
        "Sculley et al. §7",
    ),
    (
        "Debuggability",
        "Can one prediction be traced to its inputs, the model version and the training data?",
        "ML Test Score Infra 5",
    ),
    (
        "Privacy and fairness",
        "Are personal data controlled in the pipeline, and is quality checked on the slices \
         that matter (regions, groups, new users)?",
        "ML Test Score Data 5, Model 6, Model 7",
    ),
    (
        "Abstraction and culture",
        "Is ownership of the model, its features and its data clear, with time given to \
         paying down the debts above?",
        "Sculley et al. §5, §8",
    ),
];

pub fn all() -> Vec<Question> {
    QUESTIONS
        .iter()
        .map(|&(topic, question, source)| Question {
            topic,
            question,
            source,
        })
        .collect()
}
