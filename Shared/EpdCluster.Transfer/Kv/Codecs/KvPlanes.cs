using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// One layer's K or V of every slot as a dense token-major plane [slots, kvHeads·headDim], out of and back into the
/// block layout: codecs quantize along tokens (per channel) or along channels (per token) on the plane.
/// </summary>
internal static class KvPlanes
{
    public const int Keys = 0;
    public const int Values = 1;

    public static float[] Read(KvLayout layout, ReadOnlySpan<float> data, int slots, int layer, int kind)
    {
        var channels = layout.Channels;
        var plane = new float[slots * channels];
        for (var slot = 0; slot < slots; slot++)
        {
            data.Slice(layout.Offset(slot, layer, kind), channels).CopyTo(plane.AsSpan(slot * channels));
        }

        return plane;
    }

    public static void Write(KvLayout layout, ReadOnlySpan<float> plane, Span<float> data, int slots, int layer, int kind)
    {
        var channels = layout.Channels;
        for (var slot = 0; slot < slots; slot++)
        {
            plane.Slice(slot * channels, channels).CopyTo(data.Slice(layout.Offset(slot, layer, kind), channels));
        }
    }
}
