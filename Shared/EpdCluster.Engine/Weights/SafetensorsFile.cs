using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Weights;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>), then raw
/// little-endian tensor bytes. Tensors are read one at a time straight into tensor memory, so files larger
/// than 2 GB work.
/// </summary>
public sealed class SafetensorsFile
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private SafetensorsFile(string path, long dataStart, IReadOnlyDictionary<string, SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        DataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    private long DataStart { get; }

    public static SafetensorsFile Open(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8)
        {
            throw new InvalidDataException($"{path} is not a safetensors file: shorter than its 8-byte header length.");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
        {
            throw new InvalidDataException($"{path} is not a safetensors file: header length {headerLength} is impossible for a {stream.Length}-byte file.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var json = JsonNode.Parse(header)?.AsObject() ?? throw new InvalidDataException($"{path}: empty safetensors header.");
        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var dataLength = stream.Length - 8 - headerLength;
        foreach (var (name, node) in json)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node!.AsObject())
                {
                    metadata[key] = value!.GetValue<string>();
                }

                continue;
            }

            var dtype = node!["dtype"]!.GetValue<string>();
            var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var expectedBytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype, name, path);
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != expectedBytes)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has data offsets [{string.Join(", ", offsets)}] that do not fit its {dtype} shape [{string.Join(", ", shape)}] or the file.");
            }

            entries[name] = new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        }

        return new SafetensorsFile(path, 8 + headerLength, entries, metadata);
    }

    /// <summary>Reads tensor <paramref name="name"/> as float32 (F16 and BF16 are widened).</summary>
    public Tensor ReadFloat32(string name)
    {
        var entry = Entries.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"{Path} has no tensor '{name}'.");
        var dtype = entry.DType switch
        {
            "F32" => float32,
            "F16" => float16,
            "BF16" => bfloat16,
            _ => throw new InvalidDataException($"{Path}: tensor '{name}' has dtype {entry.DType}; only F32, F16 and BF16 are supported."),
        };
        var result = empty(entry.Shape, dtype);
        using (var handle = File.OpenHandle(Path))
        {
            var read = RandomAccess.Read(handle, result.bytes, DataStart + entry.Begin);
            if (read != entry.End - entry.Begin)
            {
                throw new InvalidDataException($"{Path}: tensor '{name}' is truncated.");
            }
        }

        if (dtype == float32)
        {
            return result;
        }

        using (result)
        {
            return result.to(float32);
        }
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (sorted by name) as F32 or F16, through a temporary file renamed into
    /// place, so a reader never sees a half-written file.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, bool asFloat16, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var dtypeName = asFloat16 ? "F16" : "F32";
        var elementSize = asFloat16 ? 2 : 4;
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        }

        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var bytes = tensor.NumberOfElements * elementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = dtypeName,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        var padded = (headerBytes.Length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var stream = File.Create(temp))
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, padded);
            stream.Write(lengthBytes);
            stream.Write(headerBytes);
            for (var i = headerBytes.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var (_, tensor) in ordered)
            {
                using var scope = NewDisposeScope();
                var converted = tensor.detach().to(asFloat16 ? float16 : float32).contiguous();
                stream.Write(converted.bytes);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    private static int ElementSize(string dtype, string name, string path) => dtype switch
    {
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "F64" or "I64" or "U64" => 8,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new InvalidDataException($"{path}: tensor '{name}' has unknown dtype {dtype}."),
    };
}
