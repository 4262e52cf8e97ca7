import Foundation
import XCTest

/// Headless Chromium (Debian `chromium`, installed by `make deps`) screenshots a
/// rendered report; the figure must have drawn: coloured pixels of the plotted
/// line over a region the size of the figure, not a blank or broken image.
final class BrowserRenderingTests: XCTestCase {
    func testTheReportsFigureRendersInABrowser() throws {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(Self.find).first else {
            XCTFail("headless Chromium is needed for this test: run `make deps` (Debian package chromium)")
            return
        }
        let scratch = try NotebookProcess()
        defer { scratch.remove() }
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        let report = scratch.folder.appendingPathComponent("out/cells.html")
        let shot = scratch.folder.appendingPathComponent("shot.png")
        let browser = Process()
        browser.executableURL = chromium
        browser.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--window-size=1000,1800", "--screenshot=\(shot.path)", report.absoluteString,
        ]
        browser.standardError = FileHandle.nullDevice
        browser.standardOutput = FileHandle.nullDevice
        try browser.run()
        browser.waitUntilExit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: shot.path), "chromium wrote no screenshot")

        // The plotted line is #d62728 (214, 39, 40): find its pixels and their extent.
        let box = try Self.extent(of: (214, 39, 40), in: shot)
        XCTAssertGreaterThan(box.count, 2000, "the red line and points are drawn")
        // The figure is 600×400; its plot area spans most of it.
        XCTAssertGreaterThan(box.width, 380)
        XCTAssertLessThanOrEqual(box.width, 600)
        XCTAssertGreaterThan(box.height, 200)
        XCTAssertLessThanOrEqual(box.height, 400)
    }

    static func find(_ name: String) -> URL? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Decodes the PNG with Python's zlib (no image library in Foundation on Linux)
    /// and measures the pixels within 40 of `colour` in each channel.
    static func extent(of colour: (Int, Int, Int), in png: URL) throws -> (count: Int, width: Int, height: Int) {
        let script = """
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        pos, chunks, header = 8, b'', None
        while pos < len(data):
            length, kind = struct.unpack('>I4s', data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b'IHDR': header = struct.unpack('>IIBBBBB', body)
            if kind == b'IDAT': chunks += body
            pos += 12 + length
        width, height, depth, colour_type = header[0], header[1], header[2], header[3]
        bpp = {2: 3, 6: 4}[colour_type]
        raw, stride = zlib.decompress(chunks), width * bpp
        rows, previous, i = [], bytearray(stride), 0
        for _ in range(height):
            kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = previous[x]; c = previous[x - bpp] if x >= bpp else 0
                if kind == 1: line[x] = (line[x] + a) & 255
                elif kind == 2: line[x] = (line[x] + b) & 255
                elif kind == 3: line[x] = (line[x] + (a + b) // 2) & 255
                elif kind == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(line); previous = line
        r0, g0, b0 = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        xs, ys = [], []
        for y, line in enumerate(rows):
            for x in range(width):
                r, g, b = line[x * bpp], line[x * bpp + 1], line[x * bpp + 2]
                if abs(r - r0) < 40 and abs(g - g0) < 40 and abs(b - b0) < 40:
                    xs.append(x); ys.append(y)
        print(len(xs), (max(xs) - min(xs) + 1) if xs else 0, (max(ys) - min(ys) + 1) if ys else 0)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, png.path, "\(colour.0)", "\(colour.1)", "\(colour.2)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard numbers.count == 3 else { throw CocoaError(.fileReadCorruptFile) }
        return (numbers[0], numbers[1], numbers[2])
    }
}
