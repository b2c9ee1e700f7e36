//! Integration tests against a real Apache Kafka broker, in one test binary so that every test shares one broker container.

mod broker;
