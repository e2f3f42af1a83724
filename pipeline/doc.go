// Package pipeline connects Pantau's stages — crawl, analyse, store — with bounded queues,
// and shuts them down in order: cancel, drain in-flight work, flush the writer.
package pipeline
