//! The member survey return: the contract, the reader and its findings.
//!
//! In: one workbook (`.xlsx`, `.xls`, `.xlsb`, `.ods`) and the registry. Out: a [`SurveyReturn`]
//! with typed rows, and every [`Finding`] of the file, cell by cell. The reader never stops at
//! the first problem and never echoes personal data, and reads every file within [`Limits`].

pub mod cells;
pub mod contract;
pub mod feedback;
pub mod findings;
pub mod hetu;
mod layout;
pub mod limits;
mod read;
mod table;
pub mod template;

pub use findings::{Finding, Rule, Severity};
pub use limits::Limits;
pub use read::{ReadContext, read_file, read_path, read_return, read_return_bytes, read_return_bytes_within};

use serde::{Deserialize, Serialize};

use crate::domain::{Orientation, PlacementStatus, QualificationCode, Ytunnus};

/// One placement row: graduates of one qualification × orientation × graduation year and
/// where they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementRow {
    /// Spreadsheet row (1-based), for lineage and feedback.
    pub row: u32,
    /// Qualification.
    pub qualification: QualificationCode,
    /// Orientation.
    pub orientation: Orientation,
    /// Graduation year.
    pub graduation_year: i32,
    /// All graduates of the row.
    pub graduates: u64,
    /// Counts in [`PlacementStatus::ALL`] order.
    pub statuses: [u64; 8],
}

impl PlacementRow {
    /// The count of one status.
    pub fn count(&self, s: PlacementStatus) -> u64 {
        self.statuses[PlacementStatus::ALL.iter().position(|x| *x == s).expect("every status is in ALL")]
    }
}

/// One students row: intake and students of one qualification × orientation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudentRow {
    /// Spreadsheet row (1-based).
    pub row: u32,
    /// Qualification.
    pub qualification: QualificationCode,
    /// Orientation.
    pub orientation: Orientation,
    /// Start places.
    pub start_places: u64,
    /// Applicants.
    pub applicants: u64,
    /// First-choice applicants.
    pub first_choice: u64,
    /// New students.
    pub new_students: u64,
    /// Students on 20 September.
    pub students: u64,
}

/// A return as read: who sent it and its rows. Only returns without errors are published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyReturn {
    /// The member.
    pub member_id: String,
    /// The provider id given in the return.
    pub ytunnus: Ytunnus,
    /// Statistical year given in the return.
    pub year: i32,
    /// Placement rows.
    pub placement: Vec<PlacementRow>,
    /// The placement sheet's name and the columns (0-based) of its graduates and eight
    /// statuses, for lineage: a published figure names the cells it came from.
    pub placement_sheet: Option<(String, Vec<u32>)>,
    /// Students rows.
    pub students: Vec<StudentRow>,
}

/// What reading one file gave.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReadOutcome {
    /// The file name (as reported in findings).
    pub file: String,
    /// sha256 of the file's bytes.
    pub sha256: String,
    /// The return, when the file was readable and its member identified.
    pub survey: Option<SurveyReturn>,
    /// Everything found.
    pub findings: Vec<Finding>,
}

impl ReadOutcome {
    /// Whether the return can be published (read, member known, no errors).
    pub fn accepted(&self) -> bool {
        self.survey.is_some() && !self.findings.iter().any(Finding::is_error)
    }
}
