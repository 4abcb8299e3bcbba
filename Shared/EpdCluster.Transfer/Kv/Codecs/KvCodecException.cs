using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>Encoded KV cannot be decoded here: an unknown codec, parameters that contradict the body or this cache, or a truncated body.</summary>
public sealed class KvCodecException : FrameException
{
    public KvCodecException(string message)
        : base(message)
    {
    }

    public KvCodecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
