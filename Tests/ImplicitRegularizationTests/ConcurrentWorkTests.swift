import Foundation
import XCTest
import ImplicitRegularization

/// `ConcurrentWork.map`: a bounded pool whose results come back in the items' order.
final class ConcurrentWorkTests: XCTestCase {
    /// The most bodies running at once, and the results.
    final class Occupancy: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var most = 0
        func enter() { lock.withLock { running += 1; most = max(most, running) } }
        func leave() { lock.withLock { running -= 1 } }
    }

    func testManyItemsRunOnAtMostTheWorkersAndComeBackInOrder() {
        let occupancy = Occupancy()
        let items = Array(0..<301)
        let results = ConcurrentWork.map(items, workers: 3) { item -> Int in
            occupancy.enter()
            usleep(200)
            occupancy.leave()
            return item * item
        }
        XCTAssertEqual(results, items.map { $0 * $0 })
        XCTAssertLessThanOrEqual(occupancy.most, 3)
        XCTAssertGreaterThanOrEqual(occupancy.most, 1)
    }

    func testOneWorkerRunsOnTheCallingThreadAndTheDefaultIsTheProcessors() {
        let caller = pthread_self()
        let onCaller = ConcurrentWork.map([1, 2, 3], workers: 1) { _ in pthread_equal(pthread_self(), caller) != 0 }
        XCTAssertEqual(onCaller, [true, true, true])
        let onTwo = ConcurrentWork.map([1, 2, 3, 4], workers: 2) { _ in pthread_equal(pthread_self(), caller) != 0 }
        XCTAssertEqual(onTwo, [false, false, false, false])
        XCTAssertEqual(ConcurrentWork.processors, max(1, ProcessInfo.processInfo.activeProcessorCount))
        XCTAssertEqual(ConcurrentWork.map([Int](), workers: 4) { $0 }, [])
    }
}
