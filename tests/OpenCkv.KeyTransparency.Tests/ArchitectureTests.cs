using NetArchTest.Rules;

namespace OpenCkv.KeyTransparency.Tests;

/// <summary>The core stays pure: no web framework, database, network, file system, logging or DI.</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden =
    [
        "Microsoft.AspNetCore",
        "Microsoft.Extensions",
        "Microsoft.Data",
        "Npgsql",
        "System.Data",
        "System.Net",
        "System.IO.File",
        "System.IO.FileStream",
        "System.IO.Directory",
        "System.Console",
        "System.Diagnostics.Process",
    ];

    [Theory]
    [InlineData("OpenCkv.Crypto")]
    [InlineData("OpenCkv.KeyTransparency")]
    public void The_core_depends_on_no_io_framework(string assemblyName)
    {
        var assembly = assemblyName == "OpenCkv.Crypto" ? typeof(Crypto.CryptoSuite).Assembly : typeof(Conformance).Assembly;
        var types = Types.InAssembly(assembly).GetTypes().ToList();
        Assert.NotEmpty(types);
        TestResult result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(Forbidden).GetResult();
        Assert.True(result.IsSuccessful, "Offending types: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_crypto_library_does_not_depend_on_the_protocol_library()
    {
        TestResult result = Types.InAssembly(typeof(Crypto.CryptoSuite).Assembly)
            .ShouldNot().HaveDependencyOn("OpenCkv.KeyTransparency").GetResult();
        Assert.True(result.IsSuccessful);
    }
}
