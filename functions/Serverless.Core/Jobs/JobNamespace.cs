using Serverless.Core.Metering;

namespace Serverless.Core.Jobs;

/// <summary>
/// Where a caller's job files may be, relative to the job space (Jobs:LocalRoot, or each allowed container): a caller
/// with a key has its own folder <c>callers/&lt;id&gt;/</c>, where its relative paths resolve; anonymous callers (keys
/// optional) use the rest of the space but never <c>callers/</c>; the admin and queued messages without a caller use
/// all of it. So no job of one caller reads, or writes over, another caller's files.
/// </summary>
public static class JobNamespace
{
    public const string CallersFolder = "callers";

    /// <summary>The folder, relative to the space, that <paramref name="owner"/>'s relative paths resolve in ("" for the space itself).</summary>
    public static string FolderOf(string? owner) => owner is null or CallerId.Anonymous or CallerId.Admin ? "" : $"{CallersFolder}/{owner}";

    /// <param name="relative">The resolved location relative to the space, '/'-separated; "" for the space itself.</param>
    /// <exception cref="InvalidJobException">The location is outside what <paramref name="owner"/> may use.</exception>
    public static void Check(string relative, string field, string location, string? owner)
    {
        if (owner is null or CallerId.Admin)
        {
            return;
        }
        var folder = FolderOf(owner);
        if (folder.Length > 0 && !IsWithin(relative, folder))
        {
            throw new InvalidJobException($"'{field}' '{location}' is outside caller '{owner}''s own folder '{folder}/': relative paths resolve there");
        }
        if (folder.Length == 0 && IsWithin(relative, CallersFolder))
        {
            throw new InvalidJobException($"'{field}' '{location}' is in '{CallersFolder}/', the folders of callers with keys, which anonymous jobs may not use");
        }
    }

    private static bool IsWithin(string relative, string folder) =>
        relative == folder || relative.StartsWith(folder + "/", StringComparison.Ordinal);
}
