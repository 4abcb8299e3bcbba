using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// Runs the vision tower and projector on the inference thread, batching tiles across requests up to
/// <see cref="EngineOptions.MaxEncoderBatchTiles"/> per step.
/// </summary>
public sealed class VisionEncoderStage : TileEncoderStage
{
    private readonly MultimodalModel _model;

    public VisionEncoderStage(MultimodalModel model, EngineOptions options, EngineMetrics? metrics = null)
        : base(model.Config.Vision, options.MaxEncoderBatchTiles, metrics)
    {
        _model = model;
    }

    private protected override float[][] Encode(IReadOnlyList<TileJob> batch, int tiles)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var size = _model.Config.Vision.ImageSize;
        var channels = _model.Config.Vision.NumChannels;
        var pixels = cat(batch.Select(j => tensor(j.Pixels, [j.TileCount, channels, size, size])).ToList(), 0);
        var embeddings = _model.EncodeTiles(pixels).data<float>().ToArray();
        var rowFloats = _model.Config.TokensPerTile * _model.Config.Text.HiddenSize;
        var results = new float[batch.Count][];
        var offset = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            results[i] = embeddings[offset..(offset + (batch[i].TileCount * rowFloats))];
            offset += batch[i].TileCount * rowFloats;
        }

        return results;
    }
}
