using EpdCluster.Engine.Model;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Model;

public sealed class ComputePrecisionTests
{
    [Fact]
    public void Products_in_a_bfloat16_scope_round_like_bfloat16_and_hand_back_float32_and_leave_serving_untouched()
    {
        using var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 5);
        var generator = new TorchSharp.torch.Generator(11);
        var pixels = randn([2, 3, 224, 224], generator: generator);
        var embeddings = randn([1, 12, 256], generator: generator);
        using var noGrad = no_grad();
        var tiles = model.EncodeTiles(pixels);
        var logits = model.Logits(model.ForwardFullHidden(embeddings));

        Tensor tilesInBFloat16, logitsInBFloat16;
        using (ComputePrecision.BFloat16())
        {
            Assert.True(ComputePrecision.IsBFloat16);
            tilesInBFloat16 = model.EncodeTiles(pixels);
            logitsInBFloat16 = model.Logits(model.ForwardFullHidden(embeddings));
        }

        Assert.False(ComputePrecision.IsBFloat16);
        Assert.Equal(ScalarType.Float32, tilesInBFloat16.dtype);
        Assert.Equal(ScalarType.Float32, logitsInBFloat16.dtype);

        // bfloat16 keeps 8 significant bits (a relative rounding of up to 2⁻⁹ per operand): the results move by
        // a fraction of a percent — not zero (the products did run in bfloat16), not percents (they used the right weights).
        Assert.InRange(RelativeDifference(tilesInBFloat16, tiles), 1e-4, 2e-2);
        Assert.InRange(RelativeDifference(logitsInBFloat16, logits), 1e-4, 2e-2);

        // Outside the scope every product is float32 again, bit for bit.
        Assert.True(model.EncodeTiles(pixels).eq(tiles).all().item<bool>());
        Assert.True(model.Logits(model.ForwardFullHidden(embeddings)).eq(logits).all().item<bool>());
    }

    [Fact]
    public void A_bfloat16_backward_pass_gives_float32_weights_gradients_pointing_where_float32_ones_do()
    {
        using var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 6);
        model.train();
        var generator = new TorchSharp.torch.Generator(12);
        var pixels = randn([1, 3, 224, 224], generator: generator);
        var ids = randint(0, 900, [40], generator: generator);
        var imagePositions = arange(4, 20, dtype: int64);
        var targets = randint(0, 900, [39], generator: generator);

        Dictionary<string, Tensor> Gradients()
        {
            model.zero_grad();
            var embeddings = model.EmbedPrompt(ids, imagePositions, model.EncodeTiles(pixels));
            var hidden = model.ForwardFullHidden(embeddings.unsqueeze(0)).squeeze(0).narrow(0, 0, 39);
            nn.functional.cross_entropy(model.Logits(hidden), targets).backward();
            return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        }

        var inFloat32 = Gradients();
        Dictionary<string, Tensor> inBFloat16;
        using (ComputePrecision.BFloat16())
        {
            inBFloat16 = Gradients();
        }

        Assert.Equal(inFloat32.Keys.Order(), inBFloat16.Keys.Order());
        foreach (var (name, gradient) in inBFloat16)
        {
            Assert.Equal(ScalarType.Float32, gradient.dtype);
        }

        // Every layer's gradient — the stem's, the vision blocks', the projector's, the decoder's, the tied embedding's —
        // points the same way in both precisions.
        foreach (var name in new[]
        {
            "vision_tower.embeddings.stem.0.weight", "vision_tower.embeddings.patch_embedding.weight",
            "vision_tower.encoder.layers.1.mlp.fc1.weight", "multi_modal_projector.linear_1.weight",
            "language_model.model.layers.0.self_attn.q_proj.weight", "language_model.model.layers.3.mlp.down_proj.weight",
            "language_model.model.embed_tokens.weight",
        })
        {
            var (a, b) = (inFloat32[name].flatten(), inBFloat16[name].flatten());
            var cosine = a.dot(b).item<float>() / (a.norm().item<float>() * b.norm().item<float>());
            Assert.True(cosine > 0.99, $"{name}: cosine {cosine} between the float32 and bfloat16 gradients");
            Assert.False(a.eq(b).all().item<bool>(), $"{name}: the bfloat16 pass gave exactly the float32 gradient");
        }
    }

    [Fact]
    public void A_scope_covers_only_its_own_thread_and_nested_scopes_unwind_in_order()
    {
        var elsewhere = true;
        using (ComputePrecision.BFloat16())
        {
            var thread = new Thread(() => elsewhere = ComputePrecision.IsBFloat16);
            thread.Start();
            thread.Join();
            var inner = ComputePrecision.BFloat16();
            inner.Dispose();
            inner.Dispose();
            Assert.True(ComputePrecision.IsBFloat16);
        }

        Assert.False(elsewhere);
        Assert.False(ComputePrecision.IsBFloat16);
    }

    private static double RelativeDifference(Tensor actual, Tensor expected) =>
        (actual - expected).norm().item<float>() / expected.norm().item<float>();
}
