using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Multimodal;

/// <summary>
/// <see cref="ITilePixelStore"/> inside one process (all-in-one mode, tests): same precision and expiry as Redis, so
/// callers see the same values. Expired images are dropped when next looked at or when another image is staged.
/// </summary>
public sealed class InProcessTilePixelStore : ITilePixelStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StagedImage> _images = new(StringComparer.Ordinal);
    private readonly TransferOptions _options;
    private readonly TimeProvider _time;

    public InProcessTilePixelStore(TransferOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    public Task PutAsync(string imageHash, ReadOnlyMemory<float> pixels, int tileCount, CancellationToken cancellationToken = default)
    {
        var tileFloats = TilePixelArguments.CheckPut(imageHash, pixels.Length, tileCount);
        var tiles = new byte[tileCount][];
        for (var i = 0; i < tileCount; i++)
        {
            tiles[i] = new byte[TensorFrameCodec.PayloadBytes(_options.PixelDType, tileFloats)];
            TensorFrameCodec.WritePayload(pixels.Span.Slice(i * tileFloats, tileFloats), _options.PixelDType, tiles[i]);
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            foreach (var expired in _images.Where(p => IsExpired(p.Value, now)).Select(p => p.Key).ToList())
            {
                _images.Remove(expired);
            }

            _images[imageHash] = new StagedImage(tiles, _options.PixelDType, now);
        }

        return Task.CompletedTask;
    }

    public Task<float[][]> GetTilesAsync(string imageHash, IReadOnlyList<int> tileIndices, CancellationToken cancellationToken = default)
    {
        TilePixelArguments.CheckGet(imageHash, tileIndices);
        StagedImage? image;
        lock (_gate)
        {
            if (_images.TryGetValue(imageHash, out image) && IsExpired(image, _time.GetTimestamp()))
            {
                _images.Remove(imageHash);
                image = null;
            }
        }

        var missing = tileIndices.Where(i => image is null || i >= image.Tiles.Length).ToList();
        if (missing.Count > 0)
        {
            throw new TilePixelsMissingException(imageHash, missing);
        }

        var wire = image!.DType.WireName();
        var result = tileIndices.Select(i =>
        {
            var tile = new float[TensorFrameCodec.ElementCount(wire, image.Tiles[i].Length)];
            TensorFrameCodec.ReadPayload(image.Tiles[i], wire, tile);
            return tile;
        }).ToArray();
        return Task.FromResult(result);
    }

    private bool IsExpired(StagedImage image, long now) => _time.GetElapsedTime(image.StagedAt, now) > _options.PixelTtl;

    private sealed record StagedImage(byte[][] Tiles, TensorDType DType, long StagedAt);
}
