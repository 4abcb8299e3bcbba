using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// What the gateway must know about the served model without loading its weights: the id clients send, the
/// context length, and how many prompt tokens one image tile costs. The same in both modes, read from
/// <c>Epd:Model</c> (<c>config.json</c> of the configured or shipped checkpoint, else the built-in configuration).
/// </summary>
internal sealed record ServedModel(string Id, int ContextLength, int TokensPerTile, int TileSize, long CreatedUnixSeconds)
{
    /// <summary>The <c>owned_by</c> of <c>/v1/models</c>.</summary>
    public const string Owner = "epd-cluster";

    public static ServedModel FromOptions(ModelOptions options, TimeProvider time)
    {
        options.Validate();
        var directory = string.IsNullOrWhiteSpace(options.Path) ? options.ShippedCheckpointDirectory() : options.Path;
        var config = directory is null
            ? EpdModelConfig.ForName(options.Name)!
            : EpdModelConfig.Load(Path.Combine(directory, ModelCheckpoint.ConfigFileName));
        return new ServedModel(options.Name, config.Text.MaxPositionEmbeddings, config.TokensPerTile, config.Vision.ImageSize, time.GetUtcNow().ToUnixTimeSeconds());
    }
}
