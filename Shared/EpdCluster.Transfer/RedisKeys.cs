using StackExchange.Redis;

namespace EpdCluster.Transfer;

/// <summary>Every Redis key the data plane writes; one place, so the layout in docs/transfer.md has one source.</summary>
public static class RedisKeys
{
    /// <summary>One frame of a KV transfer: <c>epd:kv:{requestId}:{index}</c>.</summary>
    public static RedisKey KvFrame(long requestId, int index) => $"epd:kv:{requestId}:{index}";

    /// <summary>A hash of an image's multimodal tokens, one field per tile: <c>epd:mm:{modelId}:{imageHash}</c>.</summary>
    public static RedisKey MultimodalTokens(string modelId, string imageHash) => $"epd:mm:{modelId}:{imageHash}";

    /// <summary>A hash of an image's preprocessed tile pixels, one field per tile: <c>epd:px:{imageHash}</c>.</summary>
    public static RedisKey TilePixels(string imageHash) => $"epd:px:{imageHash}";

    /// <summary>The hash field of tile <paramref name="tileIndex"/>: <c>t0</c>, <c>t1</c>, …</summary>
    public static RedisValue TileField(int tileIndex) => $"t{tileIndex}";

    /// <summary>The tile index of a field written by <see cref="TileField"/>, or -1.</summary>
    public static int ParseTileField(RedisValue field)
    {
        var text = (string?)field;
        return text is ['t', .. var digits] && int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : -1;
    }
}
