import Foundation
import XCTest
@testable import Torch

final class OptimTests: XCTestCase {
    let ref = try! Safetensors.load(Fixtures.path("adamw.safetensors"))

    func testAdamWWithParameterGroupsMatchesPyTorch() throws {
        let p0 = try Parameter(ref["p0.init"]!.clone()), p1 = try Parameter(ref["p1.init"]!.clone())
        let opt = AdamW([
            ParameterGroup(name: "a", parameters: [p0], learningRate: 1e-2, weightDecay: 0.1),
            ParameterGroup(name: "b", parameters: [p1], learningRate: 1e-3, weightDecay: 0),
        ])
        for step in 0..<3 {
            try p0.value.setGrad(ref["g0.\(step)"]!.clone())
            try p1.value.setGrad(ref["g1.\(step)"]!.clone())
            try opt.step()
            try assertClose(p0.value, ref["p0.\(step)"]!, atol: 1e-6, "p0 step \(step)")
            try assertClose(p1.value, ref["p1.\(step)"]!, atol: 1e-6, "p1 step \(step)")
        }
        try opt.zeroGrad()
        XCTAssertNil(p0.grad)
    }

    func testOptimizerStateRoundTrip() throws {
        let p = try Parameter(ref["p0.init"]!.clone())
        let opt = AdamW([ParameterGroup(name: "g", parameters: [p], learningRate: 1e-2)])
        try p.value.setGrad(ref["g0.0"]!.clone())
        try opt.step()
        let saved = opt.stateDict()
        XCTAssertEqual(Set(saved.keys), ["g.0.exp_avg", "g.0.exp_avg_sq", "g.0.step"])
        let q = try Parameter(p.value.detach().clone())
        let opt2 = AdamW([ParameterGroup(name: "g", parameters: [q], learningRate: 1e-2)])
        try opt2.loadStateDict(saved)
        for o in [opt, opt2] {
            let param = o === opt ? p : q
            try param.value.setGrad(ref["g0.1"]!.clone())
            try o.step()
        }
        try assertClose(p.value, q.value, atol: 0)
    }

    func testClipGradNormMatchesPyTorch() throws {
        let p0 = try Parameter(ref["p0.init"]!.clone()), p1 = try Parameter(ref["p1.init"]!.clone())
        try p0.value.setGrad(ref["g0.0"]! * 3)
        try p1.value.setGrad(ref["g1.0"]! * 3)
        let norm = try GradientClipping.clipGradNorm([p0, p1], maxNorm: 1.0)
        XCTAssertEqual(norm, try ref["clip.norm"]!.item(), accuracy: 1e-4)
        try assertClose(XCTUnwrap(p0.grad), ref["clip.g0"]!, atol: 1e-6)
        try assertClose(XCTUnwrap(p1.grad), ref["clip.g1"]!, atol: 1e-6)
    }

    func testUnscaleDetectsInfinity() throws {
        let p = try Parameter(Tensor.ones([2]))
        try p.value.setGrad(Tensor([4.0, 8.0] as [Float]))
        XCTAssertFalse(try GradientClipping.unscale([p], lossScale: 4))
        XCTAssertEqual(try XCTUnwrap(p.grad).floats(), [1, 2])
        try p.value.setGrad(Tensor([Float.infinity, 1] as [Float]))
        XCTAssertTrue(try GradientClipping.unscale([p], lossScale: 4))
    }

    func testSchedulesMatchTransformers() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("schedules.json")))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let w = json["warmup"] as! Int, total = json["total"] as! Int
        let cases: [(String, LRSchedule)] = [
            ("linear", .linear(warmupSteps: w, totalSteps: total)),
            ("cosine", .cosine(warmupSteps: w, totalSteps: total)),
            ("constant", .constant(warmupSteps: w)),
        ]
        for (name, schedule) in cases {
            let expected = json[name] as! [Double]
            for (step, e) in expected.enumerated() {
                XCTAssertEqual(schedule.factor(at: step), e, accuracy: 1e-12, "\(name) at \(step)")
            }
        }
    }
}
