//! The bundled synthetic sample: 16 member returns and public-statistics snapshots in the real
//! shapes, generated deterministically, so a fresh clone can run the whole pipeline offline.
//!
//! In: the registry and catalogue of a [`Config`]. Out: `raw/surveys/<year>/<member>.xlsx`,
//! `raw/public/vipunen/…json`, `raw/public/statfin/…json` with provenance sidecars marked
//! synthetic, and `raw/SYNTHETIC.md`, the marker that makes every chart say so. The returns are
//! made here, the Vipunen rows in `vipunen`, the StatFin table in `statfin`.

mod statfin;
mod vipunen;

pub use statfin::statfin_placement;
pub use vipunen::{applicant_rows, vipunen_rows};

use std::path::Path;

use crate::config::{Config, SourceSpec};
use crate::domain::{Lang, Orientation};
use crate::files;
use crate::sources::{Provenance, Snapshot};
use crate::survey::template::{self, TemplateSpec};
use crate::survey::{PlacementRow, StudentRow};
use crate::{Error, Result};

/// A small deterministic generator (SplitMix64): the sample must be the same on every machine
/// and every run, without pulling a random-number crate into the product.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Splits `total` into parts proportional to `weights` (largest remainder), so the parts add
/// up to `total` exactly — as the survey's status columns must.
pub fn split(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let short = total - parts.iter().sum::<u64>();
    for i in order.into_iter().take(short as usize) {
        parts[i] += 1;
    }
    parts
}

/// Typical placement of conservatory graduates one year on, in [`PlacementStatus::ALL`] order.
const STATUS_WEIGHTS: [f64; 8] = [0.10, 0.22, 0.16, 0.20, 0.12, 0.07, 0.06, 0.07];

/// The sample's returns: one per member, for the member's qualifications and orientations.
pub fn returns(config: &Config, rng: &mut Rng) -> Vec<(String, TemplateSpec)> {
    let year = config.year;
    let music = [Orientation::Klassinen, Orientation::Rytmi, Orientation::Kansan, Orientation::Kirkko, Orientation::Teatteri, Orientation::Teknologia];
    let mut out = Vec::new();
    for (i, m) in config.registry.members().iter().enumerate() {
        let Some(yt) = m.ytunnus_in(year) else { continue };
        let mut pairs: Vec<Orientation> = vec![Orientation::Klassinen];
        pairs.push(music[1 + (i % (music.len() - 1))]);
        if i % 3 == 0 {
            pairs.push(Orientation::Rytmi);
        }
        if i % 4 == 1 {
            pairs.push(Orientation::Tanssi);
        }
        if i % 7 == 2 {
            pairs.push(Orientation::Tuotanto);
        }
        pairs.sort();
        pairs.dedup();
        let mut placement = Vec::new();
        let mut students = Vec::new();
        for o in &pairs {
            for gy in [year - 1, year] {
                let g = rng.range(3, 16);
                let weights: Vec<f64> = STATUS_WEIGHTS.iter().map(|w| w * (0.6 + 0.8 * rng.unit())).collect();
                let parts = split(g, &weights);
                placement.push(placement_row(*o, gy, g, parts));
            }
            students.push(student_row(*o, rng));
        }
        let lang = if m.lang == Lang::Sv { Lang::Sv } else if i == 5 { Lang::En } else { Lang::Fi };
        let spec = TemplateSpec {
            lang,
            year,
            school: Some(m.name.clone()),
            ytunnus: Some(yt.to_string()),
            contact: Some("Esimerkki Yhteyshenkilö".into()),
            qualifications: config
                .pipeline
                .publish_qualifications
                .iter()
                .filter_map(|q| config.catalogue.get(*q).map(|x| (*q, x.name(lang).to_owned())))
                .collect(),
            hints: Vec::new(),
            hint_year: year - 1,
            placement,
            students,
        };
        out.push((m.id.clone(), spec));
    }
    out
}

/// Survey years in the sample: the pipeline's year and the four before it.
pub const SURVEY_YEARS: i32 = 5;

/// The sample's returns of the years before the pipeline's (`latest` is the pipeline year's,
/// from [`returns`]), newest first: one per member whose Y-tunnus the registry holds valid in
/// the year (a member that joined later has no return before it joined). A cohort is the same
/// graduates in two rounds: cohort `y`'s graduates per qualification and orientation in year
/// `y` (at graduation) are those the year `y + 1` return reports for it (one year after), with
/// their statuses drawn again; cohort `y − 1` and the students sheet are drawn from the year's
/// own generator, so the pipeline year's returns stay what they were.
pub fn history_returns(config: &Config, latest: &[(String, TemplateSpec)]) -> Vec<(String, TemplateSpec)> {
    let mut out: Vec<(String, TemplateSpec)> = Vec::new();
    let mut next: Vec<(String, TemplateSpec)> = latest.to_vec();
    for year in (config.year - SURVEY_YEARS + 1..config.year).rev() {
        let mut rng = Rng::new(2025 ^ ((year as u64) << 20));
        let mut this: Vec<(String, TemplateSpec)> = Vec::new();
        for m in config.registry.members() {
            let Some(yt) = m.ytunnus_in(year) else { continue };
            // The member's programme as in the pipeline year (the same index rules).
            let Some((_, base)) = latest.iter().find(|(id, _)| id == &m.id) else { continue };
            let later = next.iter().find(|(id, _)| id == &m.id).map(|(_, s)| s);
            let pairs: Vec<Orientation> = {
                let mut v: Vec<Orientation> = base.students.iter().map(|r| r.orientation).collect();
                v.dedup();
                v
            };
            let mut placement = Vec::new();
            let mut students = Vec::new();
            for o in &pairs {
                for gy in [year - 1, year] {
                    let known = later.and_then(|s| s.placement.iter().find(|r| r.orientation == *o && r.graduation_year == gy)).map(|r| r.graduates);
                    let g = known.unwrap_or_else(|| rng.range(3, 16));
                    // At graduation, more are still looking: the unknown and other shares are larger.
                    let lag0 = gy == year;
                    let weights: Vec<f64> = STATUS_WEIGHTS
                        .iter()
                        .enumerate()
                        .map(|(k, w)| w * (0.6 + 0.8 * rng.unit()) * if lag0 && k >= 5 { 1.8 } else { 1.0 })
                        .collect();
                    let parts = split(g, &weights);
                    placement.push(placement_row(*o, gy, g, parts));
                }
                students.push(student_row(*o, &mut rng));
            }
            let spec = TemplateSpec { year, ytunnus: Some(yt.to_string()), hint_year: year - 1, placement, students, ..base.clone() };
            this.push((m.id.clone(), spec));
        }
        out.extend(this.iter().cloned());
        next = this;
    }
    out
}

const MARKER: &str = "# Synthetic sample data

Everything under this folder was generated by `kooste sample` (deterministic, seed 2025).
The survey returns of five rounds (one folder per statistical year under `surveys/`), the Vipunen rows and the Statistics Finland `sijk/111l` values are
**synthetic**: plausible in size and shape, but not real statistics. The only real response is
`public/statfin/opiskt_14rw.json` (recorded from Statistics Finland on 2026-05-28, CC BY 4.0).

While this file exists, every chart and report made from this folder says that the data is
synthetic. Delete it when `raw/` holds real returns and real snapshots.
";

/// The returns and snapshots already in `raw` (any year's surveys folder, `public/`), which
/// the sample must not be written over unless asked to.
pub fn occupied(raw: &Path) -> Vec<std::path::PathBuf> {
    let list = |d: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(d).map(|e| e.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        v.sort();
        v
    };
    let mut out = Vec::new();
    let surveys = raw.join("surveys");
    for year in list(&surveys).into_iter().filter(|p| p.is_dir()) {
        out.extend(crate::stages::ingest::return_files(&year).unwrap_or_default());
    }
    for service in list(&raw.join("public")).into_iter().filter(|p| p.is_dir()) {
        out.extend(list(&service).into_iter().filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json")));
    }
    out
}

/// Refuses to write the sample over returns or snapshots already in `raw` (unless `force`),
/// saying what it would overwrite.
pub fn check_empty(config: &Config, raw: &Path, force: bool) -> Result<()> {
    let found = occupied(raw);
    if force || found.is_empty() {
        return Ok(());
    }
    let mut targets: Vec<std::path::PathBuf> = Vec::new();
    for year in config.year - SURVEY_YEARS + 1..=config.year {
        let survey_dir = raw.join(config.pipeline.surveys.replace("{year}", &year.to_string()));
        targets.extend(config.registry.members().iter().filter(|m| m.ytunnus_in(year).is_some()).map(|m| survey_dir.join(format!("{}.xlsx", m.id))));
    }
    for spec in config.pipeline.sources.values() {
        let p = raw.join(spec.snapshot_path());
        targets.push(Snapshot::sidecar_path(&p));
        targets.push(p);
    }
    let overwritten: Vec<String> = found.iter().filter(|p| targets.contains(p)).map(|p| p.display().to_string()).collect();
    let (returns, snapshots) = found.iter().partition::<Vec<_>, _>(|p| p.starts_with(raw.join("surveys")));
    let shown = if overwritten.is_empty() { String::new() } else {
        let more = if overwritten.len() > 3 { format!(" and {} more", overwritten.len() - 3) } else { String::new() };
        format!("; it would overwrite {}{more}", overwritten[..overwritten.len().min(3)].join(", "))
    };
    Err(Error::Refused(format!(
        "{} already holds {} returns and {} snapshot files{shown}, and mark the folder synthetic ({}): \
         nothing was written; add --force to write the sample anyway, or give another --raw",
        raw.display(),
        returns.len(),
        snapshots.len(),
        raw.join("SYNTHETIC.md").display()
    )))
}

/// Writes the whole sample into `raw` (creating it), using the pipeline's registry and
/// sources. Existing files of the same names are replaced atomically: call [`check_empty`]
/// first.
pub fn write_sample(config: &Config, raw: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut rng = Rng::new(2025);
    let mut written = Vec::new();
    let returns = returns(config, &mut rng);
    let history = history_returns(config, &returns);
    for (id, spec) in returns.iter().chain(&history) {
        let survey_dir = raw.join(config.pipeline.surveys.replace("{year}", &spec.year.to_string()));
        let path = survey_dir.join(format!("{id}.xlsx"));
        let bytes = template::write(spec).map_err(|source| Error::Xlsx { path: path.clone(), source })?;
        files::write_bytes(&path, &bytes)?;
        written.push(path);
    }
    let fetched_at = format!("{}-04-10T09:00:00Z", config.year + 1);
    for spec in config.pipeline.sources.values() {
        let path = raw.join(spec.snapshot_path());
        let (bytes, provenance) = match spec {
            SourceSpec::Vipunen { resource, filter, .. } => {
                let rows = if resource == crate::stages::fetch::ENROLMENT_RESOURCE {
                    vipunen_rows(config, &returns, &mut rng)
                } else {
                    // Its own generator: the other snapshots stay as they were.
                    applicant_rows(config, &returns, &mut Rng::new(0xA991))
                };
                let bytes = serde_json::to_vec_pretty(&rows).expect("plain JSON");
                let p = Provenance {
                    service: "vipunen".into(),
                    url: format!("https://api.vipunen.fi/api/resources/{resource}/data"),
                    method: "GET".into(),
                    query: filter.clone(),
                    status: 200,
                    fetched_at: fetched_at.clone(),
                    sha256: String::new(),
                    rows: rows.len() as u64,
                    dataset_updated: Some(format!("{}-04-03", config.year + 1)),
                    synthetic: true,
                    note: Some("synthetic sample generated by `kooste sample`".into()),
                };
                (bytes, p)
            }
            SourceSpec::Pxweb { table, lang, .. } if table == "opiskt/14rw" => {
                let bytes = include_bytes!("../../tests/fixtures/statfin_opiskt_14rw_jsonstat2_2026-05-28.json").to_vec();
                let p = Provenance {
                    service: "statfin".into(),
                    url: format!("https://pxdata.stat.fi/PxWeb/api/v1/{}/StatFin/opiskt/14rw.px", lang.code()),
                    method: "POST".into(),
                    query: None,
                    status: 200,
                    fetched_at: "2026-05-28T08:00:00Z".into(),
                    sha256: String::new(),
                    rows: 756,
                    dataset_updated: Some("2026-05-28T05:00:00Z".into()),
                    synthetic: false,
                    note: Some("recorded real response (Statistics Finland, CC BY 4.0)".into()),
                };
                (bytes, p)
            }
            SourceSpec::Pxweb { table, lang, .. } => {
                let ds = statfin_placement(config, &mut rng);
                let bytes = serde_json::to_vec_pretty(&ds).expect("plain JSON");
                let p = Provenance {
                    service: "statfin".into(),
                    url: format!("https://pxdata.stat.fi/PxWeb/api/v1/{}/StatFin/{table}.px", lang.code()),
                    method: "POST".into(),
                    query: Some(statfin::query_of(&ds)),
                    status: 200,
                    fetched_at: fetched_at.clone(),
                    sha256: String::new(),
                    rows: ds["value"].as_array().map(|v| v.len() as u64).unwrap_or(0),
                    dataset_updated: ds["updated"].as_str().map(str::to_owned),
                    synthetic: true,
                    note: Some("synthetic sample in the shape of the real table".into()),
                };
                (bytes, p)
            }
        };
        Snapshot::store(&path, &bytes, provenance)?;
        written.push(path.clone());
        written.push(Snapshot::sidecar_path(&path));
    }
    let marker = raw.join("SYNTHETIC.md");
    files::write_bytes(&marker, MARKER.as_bytes())?;
    written.push(marker);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_adds_up_exactly() {
        for total in [0, 1, 7, 13, 100] {
            let parts = split(total, &STATUS_WEIGHTS);
            assert_eq!(parts.iter().sum::<u64>(), total);
        }
        assert_eq!(split(10, &[1.0, 1.0]), vec![5, 5]);
        assert_eq!(split(3, &[2.0, 1.0]), vec![2, 1]);
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(1), Rng::new(1));
        assert_eq!((0..5).map(|_| a.next_u64()).collect::<Vec<_>>(), (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
    }
}

/// One placement row of a synthetic return: `g` graduates split into the eight statuses.
fn placement_row(o: Orientation, graduation_year: i32, graduates: u64, parts: Vec<u64>) -> PlacementRow {
    PlacementRow {
        row: 0,
        qualification: o.qualification(),
        orientation: o,
        graduation_year,
        graduates,
        statuses: parts.try_into().expect("eight parts"),
    }
}

/// One students row of a synthetic return (four draws of `rng`, always in this order).
fn student_row(o: Orientation, rng: &mut Rng) -> StudentRow {
    let places = rng.range(6, 24);
    let applicants = places * rng.range(2, 6);
    StudentRow {
        row: 0,
        qualification: o.qualification(),
        orientation: o,
        start_places: places,
        applicants,
        first_choice: applicants / 2,
        new_students: places - rng.range(0, 2),
        students: 3 * places + rng.range(0, 8),
    }
}
