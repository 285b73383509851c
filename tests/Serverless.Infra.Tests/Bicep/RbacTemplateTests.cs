namespace Serverless.Infra.Tests.Bicep;

[Collection(MainTemplateCollection.Name)]
public sealed class RbacTemplateTests(MainTemplateFixture fixture)
{
    private ArmTemplate Rbac => fixture.Template.Module("rbac");

    public static TheoryData<string, string> Roles => new()
    {
        { "storageBlobDataOwner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" },
        { "storageBlobDataContributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe" },
        { "storageQueueDataContributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88" },
        { "storageTableDataContributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3" },
        { "monitoringMetricsPublisher", "3913510d-42f4-4e42-8a64-420c390055eb" },
        { "keyVaultSecretsUser", "4633458b-17de-408a-b874-0445c86b69e6" },
        { "acrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d" },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public void Roles_BuiltInRoleIds_AreTheDocumentedGuids(string role, string roleDefinitionId) =>
        Assert.Equal(roleDefinitionId, (string)Rbac.Variables["roles"]![role]!);

    [Theory]
    [InlineData("storageBlobDataOwner", "Microsoft.Storage/storageAccounts", "identityPrincipalId")]
    [InlineData("storageQueueDataContributor", "Microsoft.Storage/storageAccounts", "identityPrincipalId")]
    [InlineData("storageTableDataContributor", "Microsoft.Storage/storageAccounts", "identityPrincipalId")]
    [InlineData("monitoringMetricsPublisher", "Microsoft.Insights/components", "identityPrincipalId")]
    [InlineData("keyVaultSecretsUser", "Microsoft.KeyVault/vaults", "identityPrincipalId")]
    [InlineData("acrPull", "Microsoft.ContainerRegistry/registries", "identityPrincipalId")]
    [InlineData("storageBlobDataContributor", "Microsoft.Storage/storageAccounts", "userPrincipalId")]
    [InlineData("keyVaultSecretsUser", "Microsoft.KeyVault/vaults", "userPrincipalId")]
    public void RoleAssignment_EachRole_IsScopedToItsResourceWithADeterministicName(string role, string scopeType, string principal)
    {
        var assignment = Rbac.ResourcesOfType("Microsoft.Authorization/roleAssignments").Single(a =>
            ((string)a["properties"]!["roleDefinitionId"]!).Contains($"variables('roles').{role})", StringComparison.Ordinal)
            && (string)a["properties"]!["principalId"]! == $"[parameters('{principal}')]");

        Assert.StartsWith($"[resourceId('{scopeType}'", (string)assignment["scope"]!);
        Assert.StartsWith("[guid(", (string)assignment["name"]!);
        Assert.Contains($"parameters('{principal}')", (string)assignment["name"]!);
    }

    [Fact]
    public void RoleAssignments_All_AreScopedToAResourceNeverTheResourceGroup() =>
        Assert.All(Rbac.ResourcesOfType("Microsoft.Authorization/roleAssignments"),
            assignment => Assert.StartsWith("[resourceId(", (string?)assignment["scope"] ?? "<resource group>"));

    [Fact]
    public void RoleAssignments_OnlyInRbacModule_AreDeclared()
    {
        var elsewhere = fixture.Template.AllTemplates
            .Where(t => t.ModulePath != "rbac" && t.ResourcesOfType("Microsoft.Authorization/roleAssignments").Count > 0)
            .Select(t => t.ModulePath);

        Assert.Empty(elsewhere);
    }

    [Fact]
    public void RbacSource_EveryRoleGuid_IsCommentedWithTheRoleName()
    {
        var lines = File.ReadAllLines(Path.Combine(Support.Repository.Infra, "app", "rbac.bicep"));

        foreach (var (_, guid) in Roles.Select(r => ((string)r[0], (string)r[1])))
        {
            var line = lines.Single(l => l.Contains($"'{guid}'", StringComparison.Ordinal));
            Assert.Matches(@"// [A-Z][A-Za-z ]+$", line);
        }
    }
}
