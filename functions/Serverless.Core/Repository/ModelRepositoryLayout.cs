using System.Globalization;

namespace Serverless.Core.Repository;

/// <summary>The repository layout, shared by the folder and the blob repository.</summary>
public static class ModelRepositoryLayout
{
    public const string ModelFileName = "model.onnx";
    public const string ConfigFileName = "config.json";

    /// <summary>ONNX Runtime GenAI's folder description: a generative model's version holds it, whatever its graph is called.</summary>
    public const string GenerativeConfigFileName = "genai_config.json";

    /// <summary>A file whose presence makes a folder a version: a graph (model.onnx) or a generative model (genai_config.json).</summary>
    public static bool MarksVersion(ReadOnlySpan<char> fileName) =>
        fileName.SequenceEqual(ModelFileName) || fileName.SequenceEqual(GenerativeConfigFileName);

    /// <summary>Whether a local version folder holds a model.</summary>
    public static bool HoldsVersion(string folder) =>
        File.Exists(Path.Combine(folder, ModelFileName)) || File.Exists(Path.Combine(folder, GenerativeConfigFileName));

    /// <summary>
    /// The one rule for a version, as a folder name or a URL segment: a positive integer in canonical form. <c>01</c>
    /// would parse as 1 but names another folder than version 1 is fetched from, so it is not a version at all.
    /// </summary>
    public static bool TryParseVersion(string segment, out long version) =>
        long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0
        && segment == version.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The local path of a file inside a version folder, from its name in a listing or an external-data location
    /// ('/' separated); null when the name could reach outside the folder (<c>..</c>, a rooted path, a drive, a
    /// backslash, an empty segment) or is not a plain file name.
    /// </summary>
    public static string? ResolveInside(string folder, string relativePath)
    {
        if (relativePath.Length is 0 or > 1024 || relativePath[0] == '/' || relativePath.AsSpan().IndexOfAny('\\', ':') >= 0
            || relativePath.Any(char.IsControl))
        {
            return null;
        }
        foreach (var segment in relativePath.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return null;
            }
        }
        // Belt and braces: whatever the rules above miss, the resolved path must still lie below the folder.
        var root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        return path.StartsWith(root, StringComparison.Ordinal) ? path : null;
    }
}
