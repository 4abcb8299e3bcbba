namespace EpdCluster.Engine.Weights;

/// <summary>One tensor in a safetensors file: its dtype name (F32, F16, BF16), shape and byte range after the header.</summary>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
