using System.Text.RegularExpressions;

namespace OpenCkv.Server.Tests;

/// <summary>`ckv verify` on two people's devices at once, against a server process.</summary>
public sealed partial class CliComparisonTests
{
    private const string Alice = "mailto:alice@example.com";
    private const string Bob = "mailto:bob@example.com";

    [Fact]
    public async Task Both_screens_show_one_code_and_marking_it_gives_the_checkmark_on_both_sides()
    {
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = await TwoPeopleWithCkvOnAsync(server);

        Task<(int Exit, string Output, string Error)> alice = cli.RunAsync("alice", "verify", "Bob", "--yes", "--timeout", "60");
        Task<(int Exit, string Output, string Error)> bob = cli.RunAsync("bob", "verify", "Alice", "--yes", "--timeout", "60");
        (int Exit, string Output, string Error)[] both = await Task.WhenAll(alice, bob);
        Assert.True(both[0].Exit == 0, both[0].Error);
        Assert.True(both[1].Exit == 0, both[1].Error);
        string code = Code().Match(both[0].Output).Groups[1].Value;
        Assert.Matches("^[0-9]{8}$", code);
        Assert.Equal(code, Code().Match(both[1].Output).Groups[1].Value);

        Assert.Equal("Verified", (await cli.StatusAsync("alice", "Bob")).Status);
        Assert.Equal("Verified", (await cli.StatusAsync("bob", "Alice")).Status);
    }

    [Fact]
    public async Task A_screen_the_other_side_never_opens_times_out_and_a_no_is_a_warning()
    {
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = await TwoPeopleWithCkvOnAsync(server);

        (int exit, _, string error) = await cli.RunAsync("alice", "verify", "Bob", "--yes", "--timeout", "2");
        Assert.Equal(1, exit);
        Assert.Contains("did not open Verify Contact", error, StringComparison.Ordinal);
        Assert.Equal("VerifyContact", (await cli.StatusAsync("alice", "Bob")).Status);

        Task<(int Exit, string Output, string Error)> alice = cli.RunAsync("alice", "verify", "Bob", "--no", "--timeout", "60");
        Task<(int Exit, string Output, string Error)> bob = cli.RunAsync("bob", "verify", "Alice", "--yes", "--timeout", "60");
        (int Exit, string Output, string Error)[] both = await Task.WhenAll(alice, bob);
        Assert.Equal(1, both[0].Exit);
        Assert.Contains("may not be talking to Bob", both[0].Error, StringComparison.Ordinal);
        Assert.Equal(0, both[1].Exit);
        (string status, string[] reasons) = await cli.StatusAsync("alice", "Bob");
        Assert.Equal(("Warning", "comparison-mismatch"), (status, Assert.Single(reasons)));
    }

    private static async Task<CkvCli> TwoPeopleWithCkvOnAsync(ServerProcess server)
    {
        var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);
        await cli.RegisterAsync("bob", Bob);
        await cli.OkAsync("alice", "contacts", "add", "Bob", Bob);
        await cli.OkAsync("bob", "contacts", "add", "Alice", Alice);
        foreach (string person in (string[])["alice", "bob"])
        {
            await cli.EnableTwoFactorAsync(person);
            await cli.OkAsync(person, "verification", "on");
        }

        return cli;
    }

    [GeneratedRegex("code: ([0-9]+)")]
    private static partial Regex Code();
}
