//! The ground floor: the words every stage shares, validated once.
//!
//! Nothing here imports from a stage (`scan`, `resolve`, `fetch`, `process`, `pipeline`,
//! `report`, `serve`); every stage imports from here.
pub mod status;
