//! Benchmark: reading survey returns, and what hostile returns cost.
//!
//! 1. The 16 returns of the bundled sample (`raw/surveys/2025`), read one after the other on
//!    one core, 50 times a round, five rounds: the median per pass of 16.
//! 2. 1 000 returns built in memory (the sample's layout: a filled template, three to five
//!    placement rows and students rows each, the 16 members in turn), single-threaded, five
//!    times: the median and returns per second.
//! 3. Peak RSS of `kooste run` (the whole pipeline, a child process, `wait4`'s rusage) on a
//!    copy of the sample with hostile returns beside it: a stray value in the last row, a
//!    shared-strings bomb, a sheet part past the cap, a million formatted rows, 300 sheets,
//!    50 MB of random bytes and an owner file (written here; the tests have their own).
//!
//! Run: `cargo bench --bench ingest` (targets: 1 000 returns in under 3 s; peak RSS with the
//! hostile returns under 300 MiB).

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kooste::sample::{self, Rng};
use kooste::survey::{ReadContext, read_return_bytes, template};
use kooste::{Config, Overrides};

fn main() {
    let config = Config::load(Path::new("pipelines/annual.toml"), Overrides::default()).expect("run from the repository root");
    let ctx = ReadContext {
        registry: &config.registry,
        catalogue: &config.catalogue,
        year: config.year,
        qualifications: &config.pipeline.publish_qualifications,
    };
    sample_returns(&ctx);
    built_returns(&config, &ctx);
    hostile_rss();
}

fn median(mut times: Vec<f64>) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[0], times[times.len() - 1])
}

fn sample_returns(ctx: &ReadContext<'_>) {
    let mut files: Vec<_> = std::fs::read_dir("raw/surveys/2025").expect("the sample").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let books: Vec<(String, Vec<u8>)> = files.iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(p).unwrap())).collect();
    let passes = 50;
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        for _ in 0..passes {
            for (name, b) in &books {
                let o = read_return_bytes(name, b, ctx);
                assert!(o.accepted(), "{name}: {:?}", o.findings);
                std::hint::black_box(o);
            }
        }
        times.push(t0.elapsed().as_secs_f64() / passes as f64);
    }
    let (m, lo, hi) = median(times);
    println!("ingest: the {} sample returns read in {:.2} ms median (min {:.2}, max {:.2}) on one core", books.len(), m * 1e3, lo * 1e3, hi * 1e3);
}

fn built_returns(config: &Config, ctx: &ReadContext<'_>) {
    let returns = sample::returns(config, &mut Rng::new(7));
    let n = 1000;
    let books: Vec<Vec<u8>> = (0..n).map(|i| template::write(&returns[i % returns.len()].1).expect("workbook")).collect();
    let bytes: usize = books.iter().map(Vec::len).sum();
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut rows = 0;
        for (i, b) in books.iter().enumerate() {
            let o = read_return_bytes(&format!("{i}.xlsx"), b, ctx);
            assert!(o.accepted(), "{:?}", o.findings);
            rows += o.survey.map(|s| s.placement.len() + s.students.len()).unwrap_or(0);
        }
        times.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(rows);
    }
    let (m, lo, hi) = median(times);
    println!(
        "ingest: {n} returns ({:.1} MB) read in {m:.3} s median (min {lo:.3}, max {hi:.3}) on one core = {:.0} returns/s",
        bytes as f64 / 1e6,
        n as f64 / m
    );
}

/// Copies a folder recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Writes a copy of `base` with one part's text passed through `edit` (which writes it).
fn variant(base: &[u8], out: &Path, part: &str, edit: impl Fn(&str, &mut dyn Write)) {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::BufWriter::new(std::fs::File::create(out).unwrap()));
    let opts = zip::write::SimpleFileOptions::default().compression_level(Some(1));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        w.start_file(&name, opts).unwrap();
        if name == part { edit(&text, &mut w) } else { w.write_all(text.as_bytes()).unwrap() }
    }
    w.finish().unwrap();
}

fn hostile_rss() {
    let work = tempfile::tempdir().unwrap();
    copy_dir(Path::new("pipelines"), &work.path().join("pipelines"));
    copy_dir(Path::new("raw"), &work.path().join("raw"));
    let dir = work.path().join("raw/surveys/2025");
    let base = std::fs::read(dir.join("oulu.xlsx")).unwrap();
    std::fs::remove_file(dir.join("oulu.xlsx")).unwrap();
    let mib = vec![b' '; 1 << 20];
    variant(&base, &dir.join("stray.xlsx"), "xl/worksheets/sheet2.xml", |x, w| {
        w.write_all(x.replace("</sheetData>", r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#).as_bytes()).unwrap()
    });
    variant(&base, &dir.join("strings.xlsx"), "xl/sharedStrings.xml", |x, w| {
        let (head, tail) = x.split_at(x.rfind("</sst>").unwrap());
        w.write_all(head.as_bytes()).unwrap();
        w.write_all(b"<si><t>").unwrap();
        (0..200).for_each(|_| w.write_all(&mib).unwrap());
        w.write_all(b"</t></si>").unwrap();
        w.write_all(tail.as_bytes()).unwrap();
    });
    variant(&base, &dir.join("sheet part.xlsx"), "xl/worksheets/sheet2.xml", |x, w| {
        let (head, tail) = x.split_at(x.rfind("</worksheet>").unwrap());
        w.write_all(head.as_bytes()).unwrap();
        (0..130).for_each(|_| w.write_all(&mib).unwrap());
        w.write_all(tail.as_bytes()).unwrap();
    });
    variant(&base, &dir.join("rows.xlsx"), "xl/worksheets/sheet2.xml", |x, w| {
        let (head, tail) = x.split_at(x.find("</sheetData>").unwrap());
        w.write_all(head.as_bytes()).unwrap();
        for r in 12..1_048_576 {
            write!(w, r#"<row r="{r}" s="1" customFormat="1"><c r="A{r}" s="1"/></row>"#).unwrap();
        }
        w.write_all(br#"<row r="1048576"><c r="A1048576"><v>0</v></c></row>"#).unwrap();
        w.write_all(tail.as_bytes()).unwrap();
    });
    let mut book = rust_xlsxwriter::Workbook::new();
    for _ in 0..300 {
        book.add_worksheet();
    }
    std::fs::write(dir.join("sheets.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    let mut x: u64 = 88_172_645_463_325_252;
    let random: Vec<u8> = (0..50 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(dir.join("random.xlsx"), random).unwrap();
    std::fs::write(dir.join("~$gradia.xlsx"), [0u8; 165]).unwrap();

    let t0 = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_kooste")).arg("run").current_dir(work.path()).env("KOOSTE_LOG", "error").stdout(std::process::Stdio::null()).spawn().expect("kooste runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    assert_eq!(code, 3, "kooste run on the sample with hostile returns exits 3 (quarantined)");
    let rss_mib = usage.ru_maxrss as f64 / 1024.0;
    println!(
        "ingest: kooste run on the sample with 6 hostile returns and an owner file: {:.2} s, peak RSS {rss_mib:.0} MiB (target < 300 MiB)",
        t0.elapsed().as_secs_f64()
    );
}
