using System.Text.Json.Serialization;

namespace EpdCluster.Engine.Model;

/// <summary>The Llama-style decoder. Field names follow Hugging Face's LlamaConfig.</summary>
public sealed record TextConfig
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 50304;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 256;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 4;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 8;
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; } = 2;
    [JsonPropertyName("head_dim")] public int HeadDim { get; init; } = 32;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 688;
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-5;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 4096;
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }

    /// <summary>Query heads that share one key/value head (grouped-query attention).</summary>
    [JsonIgnore] public int QueriesPerKeyValueHead => NumAttentionHeads / NumKeyValueHeads;
}
