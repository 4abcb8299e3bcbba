using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Json;

/// <summary>Reads <c>true</c> or <c>false</c>; <c>"true"</c> and <c>1</c> are type errors.</summary>
internal sealed class StrictBooleanConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new JsonFieldTypeException("a boolean", OpenAiJson.DescribeToken(reader.TokenType)),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}
