//! MIKEY placeholder
