//go:build race

package main

// raceDetector is whether the tests run under the race detector, which
// makes the demo data set ten times slower to build.
const raceDetector = true
