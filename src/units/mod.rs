//! Exact numbers, quantities with units, and the one rounding step.

pub mod exact;
pub mod quantity;
pub mod rounding;
