using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// ViT over square tiles: patch embedding, learned position embeddings (plus a class token and a pre-norm in CLIP's
/// layout), pre-norm blocks, then either the final norm or the second-to-last block's output (LLaVA-1.5), then a
/// pixel shuffle that merges each 2×2 patch neighbourhood into one token (as InternVL does; factor 1 = none). An optional
/// convolutional stem (<see cref="VisionConfig.StemLayers"/>) runs before the patch embedding.
/// Parameter names follow Hugging Face's CLIP vision model without its <c>vision_model.</c> prefix.
/// </summary>
internal sealed class VisionTower : nn.Module<Tensor, Tensor>
{
    private readonly VisionConfig _config;
    private readonly int _shuffle;
    private readonly int _featureLayer;
    private readonly VisionEmbeddings embeddings;
    private readonly LayerNorm? pre_layrnorm;
    private readonly VisionEncoder encoder;
    private readonly LayerNorm post_layernorm;

    public VisionTower(VisionConfig config, int pixelShuffleFactor, int featureLayer) : base(nameof(VisionTower))
    {
        _config = config;
        _shuffle = pixelShuffleFactor;
        _featureLayer = featureLayer;
        embeddings = new VisionEmbeddings(config);
        pre_layrnorm = config.UsePreLayerNorm ? nn.LayerNorm(config.HiddenSize, config.LayerNormEps) : null;
        encoder = new VisionEncoder(config);
        post_layernorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <param name="pixels">[tiles, 3, size, size], CLIP-normalized.</param>
    /// <returns>[tiles, tokensPerTile, width × shuffle²]</returns>
    public override Tensor forward(Tensor pixels)
    {
        var x = embeddings.forward(pixels);
        if (pre_layrnorm is not null)
        {
            x = pre_layrnorm.forward(x);
        }

        // -1: every block, then the final norm. -2: stop one block early and skip the norm (LLaVA-1.5).
        x = encoder.forward(x, _config.NumHiddenLayers + _featureLayer + 1);
        if (_featureLayer == -1)
        {
            x = post_layernorm.forward(x);
        }

        if (_config.UseClassEmbedding)
        {
            x = x.narrow(1, 1, _config.NumPatches);
        }

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
        private readonly ModuleList<Conv2d>? stem;
        private readonly Conv2d patch_embedding;
        private readonly Parameter? class_embedding;
        private readonly Embedding position_embedding;
        private readonly long _patchKernel;

        // A stem convolution halves the side: 3 × 3 kernel, stride 2, padding 1 (built and run with the same values).
        private const int StemKernel = 3;
        private const int StemStride = 2;
        private const int StemPadding = 1;

        public VisionEmbeddings(VisionConfig config) : base(nameof(VisionEmbeddings))
        {
            _patchKernel = config.PatchKernel;
            if (config.StemLayers > 0)
            {
                stem = new ModuleList<Conv2d>(Enumerable.Range(0, config.StemLayers)
                    .Select(i => nn.Conv2d(config.StemInputChannels(i), config.StemInputChannels(i + 1), StemKernel, stride: StemStride, padding: StemPadding))
                    .ToArray());
            }

            patch_embedding = nn.Conv2d(config.PatchInputChannels, config.HiddenSize, _patchKernel, stride: _patchKernel, bias: config.PatchBias);
            class_embedding = config.UseClassEmbedding ? new Parameter(torch.zeros(config.HiddenSize)) : null;
            position_embedding = nn.Embedding(config.NumPositions, config.HiddenSize);
            RegisterComponents();
        }

        public override Tensor forward(Tensor pixels)
        {
            var features = pixels;
            if (stem is not null)
            {
                foreach (var convolution in stem)
                {
                    features = nn.functional.gelu(ComputePrecision.Conv2d(features, convolution, StemStride, StemPadding));
                }
            }

            // [n, width, side, side] → [n, side·side, width], patches in row-major order.
            var x = ComputePrecision.Conv2d(features, patch_embedding, stride: _patchKernel, padding: 0).flatten(2).transpose(1, 2);
            if (class_embedding is not null)
            {
                x = torch.cat([class_embedding.expand(x.shape[0], 1, -1), x], 1);
            }

            return x + position_embedding.weight!;
        }
    }

    private sealed class VisionEncoder : nn.Module
    {
        private readonly ModuleList<VisionEncoderLayer> layers;

        public VisionEncoder(VisionConfig config) : base(nameof(VisionEncoder))
        {
            layers = new ModuleList<VisionEncoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new VisionEncoderLayer(config)).ToArray());
            RegisterComponents();
        }

        /// <summary>Runs the first <paramref name="count"/> blocks.</summary>
        public Tensor forward(Tensor x, int count)
        {
            foreach (var layer in layers.Take(count))
            {
                x = layer.forward(x);
            }

            return x;
        }
    }
}
