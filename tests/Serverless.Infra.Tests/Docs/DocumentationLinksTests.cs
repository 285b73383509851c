using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Docs;

/// <summary>
/// The README is the entry point and docs/ the reference, one page per topic: the README stays short, and every
/// relative link in them (and in the benchmarks' RESULTS files they send readers to) leads to a file and heading that
/// exist.
/// </summary>
public sealed class DocumentationLinksTests
{
    private const int ReadmeMaxLines = 200;

    private static readonly string Readme = Path.Combine(Repository.Root, "README.md");

    private static readonly string DocsFolder = Path.Combine(Repository.Root, "docs");

    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string>();
        pages.Add("README.md");
        foreach (var file in Directory.EnumerateFiles(DocsFolder, "*.md", SearchOption.AllDirectories)
                     .Concat(Directory.EnumerateDirectories(Path.Combine(Repository.Root, "tests"))
                         .Select(project => Path.Combine(project, "RESULTS.md"))
                         .Where(File.Exists))
                     .Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'));
        }
        return pages;
    }

    [Fact]
    public void Readme_IsAnEntryPoint_UnderTwoHundredLines()
    {
        var lines = MarkdownPage.Read(Readme).LineCount;

        Assert.True(lines < ReadmeMaxLines, $"README.md has {lines} lines; reference belongs in a docs/ page (limit {ReadmeMaxLines}).");
    }

    [Fact]
    public void Readme_LinksEveryDocsPage()
    {
        var linked = MarkdownPage.Read(Readme).LinkTargets
            .Where(IsRelative)
            .Select(target => Path.GetFullPath(Path.Combine(Repository.Root, WithoutFragment(target))))
            .ToHashSet(StringComparer.Ordinal);

        var unlinked = Directory.EnumerateFiles(DocsFolder, "*.md", SearchOption.AllDirectories)
            .Where(page => !linked.Contains(Path.GetFullPath(page)))
            .Select(page => Path.GetRelativePath(Repository.Root, page));

        Assert.Empty(unlinked);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Page_RelativeLinks_LeadToExistingFilesAndHeadings(string page)
    {
        var source = MarkdownPage.Read(Path.Combine(Repository.Root, page));

        var broken = source.LinkTargets.Where(IsRelative).Where(target => !Resolves(source, target)).ToList();

        Assert.True(broken.Count == 0, $"{page} links to what does not exist: {string.Join(", ", broken)}");
    }

    private static bool IsRelative(string target) =>
        target.Length > 0 && !Uri.TryCreate(target, UriKind.Absolute, out _) && !target.StartsWith("//", StringComparison.Ordinal);

    private static bool Resolves(MarkdownPage source, string target)
    {
        var hash = target.IndexOf('#');
        var file = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : target[(hash + 1)..];
        var path = file.Length == 0 ? source.Path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source.Path)!, file));

        if (anchor is null)
        {
            return File.Exists(path) || Directory.Exists(path);
        }
        return File.Exists(path)
            && path.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
            && MarkdownPage.Read(path).HeadingAnchors.Contains(anchor);
    }

    private static string WithoutFragment(string target) => target.Split('#')[0];
}
