// Package pipeline wires Pantau's stages — crawl, analyse, store — with bounded queues
// and carries each article's acknowledgement from the writer back to the crawler: an
// article counts as stored (and its feed's validators advance) only after ClickHouse
// confirmed every row of it. It also holds the glue between the crawler and the store
// (which URLs are stored, where source states persist, stored originals for the
// near-duplicate index) and the re-analysis of stored articles.
package pipeline
