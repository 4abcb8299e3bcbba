namespace EpdCluster.Transfer.Frames;

/// <summary>What a frame's payload is. Values are on the wire: never renumber.</summary>
public enum FrameKind
{
    /// <summary>A group of KV cache blocks of one request (prefill → decode).</summary>
    KvBlocks = 1,

    /// <summary>Multimodal tokens of one image tile (encoder output), shape [tokens, width].</summary>
    ImageEmbeddings = 2,

    /// <summary>Preprocessed pixels of one image tile (gateway → encoder).</summary>
    TilePixels = 3,

    /// <summary>The receiver holds a whole transfer; no payload.</summary>
    Ack = 4,

    /// <summary>A transfer failed; <see cref="FrameHeader.ErrorMessage"/> says why; no payload.</summary>
    Error = 5,
}
