import XCTest
@testable import SteerMoE
@testable import Torch

/// One forward + backward of SteerMoE against scripts/reference/steermoe_reference.py: same
/// loss (≤ 1e-4 relative) and same gradient of every trainable parameter (per tensor, max abs
/// difference ≤ 1e-4 × max abs reference), fp32.
final class SteerMoEParityTests: XCTestCase {
    let ref = SteeringEncoderTests.ref
    let cases = SteeringEncoderTests.info["cases"] as! [String: Any]

    func model(case name: String) throws -> SteerMoEModel {
        let c = cases[name] as! [String: Any]
        let llm = try DecoderLM.load(folder: Fixtures.path("models/\(c["llm"] as! String)"))
        try llm.freeze()
        return SteerMoEModel(encoder: SteeringEncoderTests.encoder, llm: llm, adapter: try SteeringEncoderTests.adapter(case: name))
    }

    func testLossAndGradientsMatchForEveryCase() throws {
        for name in cases.keys.sorted() {
            let m = try model(case: name)
            let text = TextBatch(ids: ref["\(name).text_input_ids"]!, attentionMask: ref["\(name).text_attention_mask"]!,
                                 labels: ref["\(name).text_labels"]!)
            let out = try m(features: ref["features"]!, text: text)
            let expected = try ref["\(name).loss"]!.item()
            XCTAssertEqual(try out.loss.item(), expected, accuracy: 1e-4 * abs(expected), name)
            if let embeds = ref["\(name).inputs_embeds"] {
                try assertClose(out.joint.embeds, embeds, atol: 1e-4, "\(name) inputs_embeds")
                XCTAssertEqual(try out.joint.labels.ints(), try ref["\(name).labels"]!.ints(), name)
                XCTAssertEqual(try out.joint.attentionMask.ints(), try ref["\(name).attention_mask"]!.ints(), name)
                let valid = try out.joint.attentionMask.ne(0)
                try assertClose(m.llm.logits(out.hidden).index(valid), ref["\(name).logits"]!.index(valid), atol: 1e-4, "\(name) logits")
            }
            try out.loss.backward()
            let params = m.adapter.namedParameters()
            XCTAssertFalse(params.isEmpty)
            for (pname, p) in params {
                let g = try XCTUnwrap(p.grad, "\(name): \(pname) has no gradient")
                let r = try XCTUnwrap(ref["\(name).grad.\(pname)"], "\(name): no reference gradient for \(pname)")
                let scale = try r.abs().amax().item()
                let diff = try maxAbsDiff(g, r)
                XCTAssertLessThanOrEqual(diff, 1e-4 * scale, "\(name) grad \(pname): \(diff) vs scale \(scale)")
            }
            // Frozen parts get no gradient buffers.
            XCTAssertTrue(m.llm.parameters().allSatisfy { $0.grad == nil }, name)
            XCTAssertTrue(m.encoder.parameters().allSatisfy { $0.grad == nil }, name)
        }
    }

    func testCheckpointedForwardGivesTheSameGradients() throws {
        let name = "steer_qwen2"
        let text = TextBatch(ids: ref["\(name).text_input_ids"]!, attentionMask: ref["\(name).text_attention_mask"]!,
                             labels: ref["\(name).text_labels"]!)
        let plain = try model(case: name)
        try plain(features: ref["features"]!, text: text).loss.backward()
        let checkpointed = try model(case: name)
        checkpointed.gradientCheckpointing = true
        try checkpointed(features: ref["features"]!, text: text).loss.backward()
        for ((n, a), (_, b)) in zip(plain.adapter.namedParameters(), checkpointed.adapter.namedParameters()) {
            try assertClose(XCTUnwrap(b.grad), XCTUnwrap(a.grad), atol: 1e-6, n)
        }
        checkpointed.encoder.gradientCheckpointing = false
    }
}
