//! The HTML audit report in a real browser: headless chromium lays out the demo project's
//! report, a probe (added to a copy only: the report itself has no script) checks that the
//! summary table, the lineage drawing, its node boxes and the findings are laid out and
//! visible and that no two node boxes overlap; then the real report is screenshotted and
//! printed to PDF.
//!
//! Needs /usr/bin/chromium (`scripts/install-chromium.sh`). Without it the test says so on
//! stderr and passes, so `cargo test` works on a machine with no browser, unless
//! `MLREADY_BROWSER_TEST=1` is set (CI sets it): then a missing browser fails the test.

mod common;

use common::{TempDir, run_in};
use serde_json::Value;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Long enough for a cold chromium start on a slow CI machine.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// Whether the browser is there; fails when CI requires it and it is not.
fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var("MLREADY_BROWSER_TEST").is_ok_and(|v| v == "1") {
        panic!("MLREADY_BROWSER_TEST=1 but {CHROMIUM} is missing: run scripts/install-chromium.sh");
    }
    eprintln!(
        "note: {CHROMIUM} not found, the browser test of the HTML report is skipped \
         (scripts/install-chromium.sh installs it; MLREADY_BROWSER_TEST=1 makes it required)"
    );
    false
}

/// What a chromium run wrote.
struct Ran {
    stdout: String,
    stderr: String,
}

/// Runs headless chromium with `args` and a profile of its own in `work`, killing it past
/// [`BROWSER_TIMEOUT`]. Its output goes to files, not pipes: a DOM dump larger than a pipe's
/// buffer would block chromium while this waits for it to exit.
fn chromium(work: &TempDir, name: &str, args: &[&str]) -> Ran {
    let profile = work.join(&format!("profile-{name}"));
    std::fs::create_dir_all(&profile).expect("the temp dir is writable");
    let stdout_path = work.join(&format!("{name}.stdout"));
    let stderr_path = work.join(&format!("{name}.stderr"));
    let stdout = File::create(&stdout_path).expect("the temp dir is writable");
    let stderr = File::create(&stderr_path).expect("the temp dir is writable");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let finished = loop {
        if child
            .try_wait()
            .expect("chromium can be waited on")
            .is_some()
        {
            break true;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let ran = Ran {
        stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    };
    assert!(
        finished,
        "chromium took more than {BROWSER_TIMEOUT:?}; stderr:\n{}",
        ran.stderr
    );
    ran
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Checks the laid-out page and writes what it saw, as JSON, into `#mlready-probe`.
const PROBE: &str = r##"<script>
(function () {
  function shown(el) {
    if (!el) return false;
    var r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) return false;
    for (var e = el; e && e.nodeType === 1; e = e.parentElement) {
      var s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden" || s.visibility === "collapse" ||
          parseFloat(s.opacity) === 0) return false;
    }
    return true;
  }
  var out = {};
  out.summaryTable = shown(document.querySelector("#summary table.readiness"));
  var svg = document.querySelector("#lineage svg.lineage");
  out.svg = shown(svg);
  var area = svg ? svg.getBoundingClientRect() : null;
  var section = document.querySelector("#lineage");
  out.svgWidth = area ? area.width : 0;
  out.svgInsideSection = !!(area && section &&
    area.right <= section.getBoundingClientRect().right + 0.5);
  var boxes = Array.prototype.slice.call(
    document.querySelectorAll("#lineage svg.lineage g.node rect"));
  out.nodes = boxes.length;
  out.nodesShown = boxes.filter(shown).length;
  var rects = boxes.map(function (b) { return b.getBoundingClientRect(); });
  out.overlaps = 0;
  out.nodesInsideSvg = 0;
  for (var i = 0; i < rects.length; i++) {
    var a = rects[i];
    if (area && a.left >= area.left - 0.5 && a.right <= area.right + 0.5 &&
        a.top >= area.top - 0.5 && a.bottom <= area.bottom + 0.5) out.nodesInsideSvg++;
    for (var j = i + 1; j < rects.length; j++) {
      var b = rects[j];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        out.overlaps++;
    }
  }
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  out.findings = findings.length;
  out.findingsShown = findings.filter(shown).length;
  out.pageWidth = document.documentElement.scrollWidth;
  out.viewportWidth = window.innerWidth;
  var probe = document.createElement("pre");
  probe.id = "mlready-probe";
  probe.textContent = JSON.stringify(out);
  document.body.appendChild(probe);
})();
</script>"##;

/// The probe's JSON from a dumped DOM.
fn probe_result(dom: &str) -> Value {
    let start = dom.find("<pre id=\"mlready-probe\">").unwrap_or_else(|| {
        panic!(
            "the probe did not run; the dumped DOM ends with:\n{}",
            tail(dom)
        )
    });
    let text = &dom[start + "<pre id=\"mlready-probe\">".len()..];
    let end = text.find("</pre>").expect("the probe's element is closed");
    serde_json::from_str(&text[..end]).expect("the probe writes JSON")
}

fn tail(text: &str) -> &str {
    let mut at = text.len().saturating_sub(2000);
    while !text.is_char_boundary(at) {
        at += 1;
    }
    &text[at..]
}

#[test]
fn the_html_report_is_laid_out_visible_and_printable() {
    if !browser_available() {
        return;
    }
    let work = TempDir::new("browser");
    let report = work.join("audit.html");
    let report_arg = report.to_string_lossy().to_string();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    run_in(
        repo,
        &[
            "audit",
            "examples/churn-demo",
            "--format",
            "html",
            "--no-cache",
            "--output",
            &report_arg,
        ],
        &[],
    )
    .expect_code(0);
    let html = std::fs::read_to_string(&report).expect("the report was written");
    assert!(
        !html.contains("<script"),
        "the report itself must have no script"
    );
    let expected_nodes = html.matches("data-node=").count();
    assert!(expected_nodes > 0, "the demo project's lineage has nodes");

    // The probe runs in a copy, so the report stays script-free.
    let Some(body_end) = html.rfind("</body>") else {
        panic!("the report has no </body>");
    };
    let probed = work.write(
        "probed.html",
        format!("{}{PROBE}{}", &html[..body_end], &html[body_end..]),
    );
    let dump = chromium(
        &work,
        "dom",
        &[
            "--window-size=1280,2000",
            "--virtual-time-budget=5000",
            "--dump-dom",
            &file_url(&probed),
        ],
    );
    let dom = &dump.stdout;
    let seen = probe_result(dom);
    eprintln!("browser probe: {seen}");
    assert_eq!(
        seen["summaryTable"], true,
        "summary table not shown: {seen}"
    );
    assert_eq!(seen["svg"], true, "lineage drawing not shown: {seen}");
    assert!(seen["svgWidth"].as_f64().unwrap_or(0.0) > 600.0, "{seen}");
    assert_eq!(
        seen["svgInsideSection"], true,
        "drawing wider than its section: {seen}"
    );
    assert_eq!(seen["nodes"], expected_nodes, "{seen}");
    assert_eq!(
        seen["nodesShown"], expected_nodes,
        "node boxes not shown: {seen}"
    );
    assert_eq!(seen["nodesInsideSvg"], expected_nodes, "{seen}");
    assert_eq!(seen["overlaps"], 0, "node boxes overlap: {seen}");
    let findings = seen["findings"].as_u64().unwrap_or(0);
    assert!(findings > 0, "no finding in the page: {seen}");
    assert_eq!(
        seen["findingsShown"], findings,
        "findings not shown: {seen}"
    );
    assert!(
        seen["pageWidth"].as_u64() <= seen["viewportWidth"].as_u64(),
        "the page scrolls sideways on a laptop screen: {seen}"
    );

    // The real report, as a reader sees it and as it prints.
    let png = work.join("audit.png");
    let shot = chromium(
        &work,
        "png",
        &[
            "--window-size=1280,2000",
            &format!("--screenshot={}", png.display()),
            &file_url(&report),
        ],
    );
    let bytes =
        std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot; stderr:\n{}", shot.stderr));
    assert!(bytes.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    assert!(
        bytes.len() > 50_000,
        "a near-empty screenshot: {} bytes",
        bytes.len()
    );

    let pdf = work.join("audit.pdf");
    let print = chromium(
        &work,
        "pdf",
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &file_url(&report),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|_| panic!("no PDF; stderr:\n{}", print.stderr));
    assert!(bytes.starts_with(b"%PDF"), "the print is not a PDF");
    assert!(
        bytes.len() > 20_000,
        "a near-empty PDF: {} bytes",
        bytes.len()
    );
}
