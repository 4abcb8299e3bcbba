using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// ViT over 224×224 tiles: patch embedding, learned position embeddings, pre-norm blocks, final norm,
/// then a pixel shuffle that merges each 2×2 patch neighbourhood into one token (as InternVL does).
/// </summary>
internal sealed class VisionTower : nn.Module<Tensor, Tensor>
{
    private readonly VisionConfig _config;
    private readonly int _shuffle;
    private readonly VisionEmbeddings embeddings;
    private readonly VisionEncoder encoder;
    private readonly LayerNorm post_layernorm;

    public VisionTower(VisionConfig config, int pixelShuffleFactor) : base(nameof(VisionTower))
    {
        _config = config;
        _shuffle = pixelShuffleFactor;
        embeddings = new VisionEmbeddings(config);
        encoder = new VisionEncoder(config);
        post_layernorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <param name="pixels">[tiles, 3, size, size], CLIP-normalized.</param>
    /// <returns>[tiles, tokensPerTile, width × shuffle²]</returns>
    public override Tensor forward(Tensor pixels)
    {
        var x = post_layernorm.forward(encoder.forward(embeddings.forward(pixels)));
        var n = x.shape[0];
        var side = _config.PatchesPerSide;
        var outSide = side / _shuffle;
        var width = _config.HiddenSize;
        return x.view(n, outSide, _shuffle, outSide, _shuffle, width)
            .permute(0, 1, 3, 2, 4, 5)
            .reshape(n, outSide * outSide, width * _shuffle * _shuffle);
    }

    private sealed class VisionEmbeddings : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d patch_embedding;
        private readonly Parameter position_embedding;

        public VisionEmbeddings(VisionConfig config) : base(nameof(VisionEmbeddings))
        {
            patch_embedding = nn.Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchSize);
            position_embedding = new Parameter(torch.zeros(1, config.NumPatches, config.HiddenSize));
            RegisterComponents();
        }

        public override Tensor forward(Tensor pixels)
        {
            // [n, width, side, side] → [n, side·side, width], patches in row-major order.
            var patches = patch_embedding.forward(pixels).flatten(2).transpose(1, 2);
            return patches + position_embedding;
        }
    }

    private sealed class VisionEncoder : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<VisionEncoderLayer> layers;

        public VisionEncoder(VisionConfig config) : base(nameof(VisionEncoder))
        {
            layers = new ModuleList<VisionEncoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new VisionEncoderLayer(config)).ToArray());
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            foreach (var layer in layers)
            {
                x = layer.forward(x);
            }

            return x;
        }
    }
}
