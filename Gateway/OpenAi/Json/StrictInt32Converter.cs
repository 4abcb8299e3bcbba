using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Json;

/// <summary>Reads a JSON integer that fits an <see cref="int"/>; a string, a fraction or a huge number is a type error.</summary>
internal sealed class StrictInt32Converter : JsonConverter<int>
{
    private const string Expected = "an integer";

    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonFieldTypeException(Expected, OpenAiJson.DescribeToken(reader.TokenType));
        }

        return reader.TryGetInt32(out var value)
            ? value
            : throw new JsonFieldTypeException($"{Expected} between {int.MinValue} and {int.MaxValue}", "a number outside that range or with a fraction");
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
