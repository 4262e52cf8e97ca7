import Foundation

extension NotebookSession {
    /// The state folder that notebook `stem` keeps under the same `--cache` (its
    /// ``cacheFolder`` when it runs), to read what that notebook keeps — the resumable chunks of
    /// a long computation, say — instead of computing it again. A notebook that reads it declares
    /// the other notebook among its `inputs`, so that it runs after it and is re-run when it changes.
    /// Outside the runner (no run manifest) it is this program's own ``cacheFolder``.
    public static func cacheFolder(ofNotebook stem: String) -> URL {
        guard RunManifest.current?.cacheFolder != nil else { return cacheFolder }
        // cacheFolder is <cache>/<this notebook>/state.
        let cache = cacheFolder.deletingLastPathComponent().deletingLastPathComponent()
        return cache.appendingPathComponent(stem, isDirectory: true).appendingPathComponent("state", isDirectory: true)
    }
}
