using System.Text.Json;

namespace EpdCluster.Gateway.OpenAi.Json;

/// <summary>
/// Thrown by the strict converters: the serializer keeps this message and fills in <see cref="JsonException.Path"/>,
/// so the reader can name the parameter and say what was expected and what came.
/// </summary>
internal sealed class JsonFieldTypeException(string expected, string actual) : JsonException($"expected {expected}, but got {actual}")
{
    public string Expected { get; } = expected;

    public string Actual { get; } = actual;
}
