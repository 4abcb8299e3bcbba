using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Placement;
using EpdCluster.Runtime.Switching;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Multimodal;
using Orleans.Concurrency;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// Encode role: fetches its share of an image's tiles from the pixel store, runs them through the vision tower
/// (batched with other requests' tiles on the inference thread) and writes the embeddings to the token cache.
/// </summary>
[WorkerPlacement]
[Reentrant]
internal sealed class EncoderWorkerGrain(WorkerEngineHost host, ITilePixelStore pixels, IMultimodalTokenCache cache, StageActivity activity) : Grain, IEncoderWorkerGrain
{
    public async Task<int> EncodeTiles(EncodeTilesCommand command)
    {
        using var inFlight = activity.Track(WorkerRole.Encode);
        var present = await cache.GetPresentTilesAsync(host.ModelId, command.ImageHash, command.TileCount);
        var missing = command.TileIndexes.Where(i => !present[i]).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        var tiles = await pixels.GetTilesAsync(command.ImageHash, missing);
        var embeddings = await host.Engine.Encoder.EncodeTilesAsync(tiles.SelectMany(t => t).ToArray(), missing.Count);
        var config = host.Engine.Config;
        var rowsPerTile = config.TokensPerTile * config.Text.HiddenSize;
        await Task.WhenAll(missing.Select((tile, i) => cache.PutTileAsync(
            host.ModelId, command.ImageHash, tile, config.TokensPerTile, config.Text.HiddenSize, embeddings.AsMemory(i * rowsPerTile, rowsPerTile))));
        return missing.Count;
    }
}
