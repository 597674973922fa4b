//! Reading an engagement file: the YAML tree with places, the every-problem deserializer
//! and the serde model it fills.

pub mod de;
pub mod model;
pub mod yaml;
