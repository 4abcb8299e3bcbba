using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Json;

/// <summary>Reads a JSON integer that fits a <see cref="long"/> (OpenAI's <c>seed</c> range).</summary>
internal sealed class StrictInt64Converter : JsonConverter<long>
{
    private const string Expected = "an integer";

    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonFieldTypeException(Expected, OpenAiJson.DescribeToken(reader.TokenType));
        }

        return reader.TryGetInt64(out var value)
            ? value
            : throw new JsonFieldTypeException($"{Expected} between {long.MinValue} and {long.MaxValue}", "a number outside that range or with a fraction");
    }

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
