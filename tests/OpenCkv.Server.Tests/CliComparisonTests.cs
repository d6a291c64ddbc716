using System.Text.RegularExpressions;

namespace OpenCkv.Server.Tests;

/// <summary>`ckv verify` on two people's devices at once, against a server process.</summary>
public sealed partial class CliComparisonTests
{
    [Fact]
    public async Task Both_screens_show_one_code_and_marking_it_gives_the_checkmark_on_both_sides()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

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
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        // Each opens the screen alone and gives up: whoever responds left a "ready" behind, which the next
        // comparison must not be stuck on.
        foreach ((string person, string contact) in new[] { ("alice", "Bob"), ("bob", "Alice") })
        {
            (int exit, _, string error) = await cli.RunAsync(person, "verify", contact, "--yes", "--timeout", "2");
            Assert.Equal(1, exit);
            Assert.Contains($"{contact} did not open Verify Contact", error, StringComparison.Ordinal);
            Assert.Equal("VerifyContact", (await cli.StatusAsync(person, contact)).Status);
        }

        Task<(int Exit, string Output, string Error)> alice = cli.RunAsync("alice", "verify", "Bob", "--no", "--timeout", "60");
        Task<(int Exit, string Output, string Error)> bob = cli.RunAsync("bob", "verify", "Alice", "--yes", "--timeout", "60");
        (int Exit, string Output, string Error)[] both = await Task.WhenAll(alice, bob);
        Assert.Equal(1, both[0].Exit);
        Assert.Contains("may not be talking to Bob", both[0].Error, StringComparison.Ordinal);
        Assert.Equal(0, both[1].Exit);
        (string status, string[] reasons) = await cli.StatusAsync("alice", "Bob");
        Assert.Equal(("Warning", "comparison-mismatch"), (status, Assert.Single(reasons)));
    }

    [GeneratedRegex("code: ([0-9]+)")]
    private static partial Regex Code();
}
