using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Json;

/// <summary>Reads a JSON number as a finite <see cref="double"/>; strings are refused.</summary>
internal sealed class StrictDoubleConverter : JsonConverter<double>
{
    private const string Expected = "a number";

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonFieldTypeException(Expected, OpenAiJson.DescribeToken(reader.TokenType));
        }

        return reader.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : throw new JsonFieldTypeException("a finite number", "a number out of range");
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
