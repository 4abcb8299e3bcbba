namespace EpdCluster.Engine.Text;

/// <summary>Who speaks a chat message; rendered lower-case after <c>&lt;|im_start|&gt;</c>.</summary>
public enum ChatRole
{
    System,
    User,
    Assistant,
}
