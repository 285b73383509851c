using System.Text.RegularExpressions;

namespace Serverless.Core.Errors;

/// <summary>
/// Error messages reach callers, the server's own folders and storage URLs stay in the log. Absolute paths in a
/// message (ONNX Runtime's "Load model from /srv/.../model.onnx failed", file system errors) are cut to their file
/// name, which with the model and version the message already names is what a caller can act on; the repository's
/// own location becomes "the model repository".
/// </summary>
public static partial class ServerPaths
{
    public static string Hide(string message, string? repository = null)
    {
        if (!string.IsNullOrEmpty(repository))
        {
            message = message.Replace(repository, "the model repository", StringComparison.Ordinal);
        }
        return AbsolutePath().Replace(message, match => match.Groups["file"].Value);
    }

    // A path starts a word (after a space, quote, bracket or '='), so URLs ("http://host/x") and ratios ("rows/s") are left alone.
    [GeneratedRegex("""(?<=^|[\s'"(\[=])(?:[A-Za-z]:)?[/\\](?:[^\s'"()\[\]/\\]+[/\\])*(?<file>[^\s'"()\[\]/\\]+)""")]
    private static partial Regex AbsolutePath();
}
