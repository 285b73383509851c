using Serverless.Core.Repository;

namespace Serverless.Core.Text;

/// <summary>
/// The <c>model</c> field of an OpenAI-style request: <c>name</c> (the version the model's policy serves) or
/// <c>name:version</c>. A colon is never part of a valid model name, so the two forms cannot be confused.
/// </summary>
public readonly record struct TextModelName(string Name, long? Version)
{
    public static bool TryParse(string? text, out TextModelName name)
    {
        name = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            name = new TextModelName(text, null);
            return true;
        }
        if (!long.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            return false;
        }
        name = new TextModelName(text[..colon], version);
        return true;
    }

    public override string ToString() => Version is { } v ? $"{Name}:{v}" : Name;

    public static string Of(ModelKey key) => $"{key.Name}:{key.Version}";
}
