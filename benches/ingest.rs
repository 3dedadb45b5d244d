//! Benchmark: reading survey returns on one core.
//!
//! Builds 1 000 returns in memory (the bundled sample's layout: a filled template, three to
//! five placement rows and students rows each, the 16 members in turn) and times the reader on
//! them, single-threaded, five times. Prints the median and returns per second.
//!
//! Run: `cargo bench --bench ingest` (target: 1 000 returns in under 3 s).

use std::time::Instant;

use kooste::sample::{self, Rng};
use kooste::survey::{ReadContext, read_return_bytes, template};
use kooste::{Config, Overrides};

fn main() {
    let config = Config::load(std::path::Path::new("pipelines/annual.toml"), Overrides::default()).expect("run from the repository root");
    let returns = sample::returns(&config, &mut Rng::new(7));
    let n = 1000;
    let books: Vec<Vec<u8>> = (0..n).map(|i| template::write(&returns[i % returns.len()].1).expect("workbook")).collect();
    let bytes: usize = books.iter().map(Vec::len).sum();
    let ctx = ReadContext {
        registry: &config.registry,
        catalogue: &config.catalogue,
        year: config.year,
        qualifications: &config.pipeline.publish_qualifications,
    };
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut rows = 0;
        for (i, b) in books.iter().enumerate() {
            let o = read_return_bytes(&format!("{i}.xlsx"), b, &ctx);
            assert!(o.accepted(), "{:?}", o.findings);
            rows += o.survey.map(|s| s.placement.len() + s.students.len()).unwrap_or(0);
        }
        times.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(rows);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "ingest: {n} returns ({:.1} MB) read in {:.3} s median (min {:.3}, max {:.3}) on one core = {:.0} returns/s",
        bytes as f64 / 1e6,
        median,
        times[0],
        times[times.len() - 1],
        n as f64 / median
    );
}
