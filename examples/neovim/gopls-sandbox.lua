-- Neovim (nvim-lspconfig): run gopls through the sandbox.
-- Put in your init.lua (or require it from there).
local lspconfig = require("lspconfig")
lspconfig.gopls.setup({
  cmd = { "gopls-sandbox" }, -- no arguments: an LSP server on stdio, exactly like gopls
  cmd_env = {
    GOPLS_SANDBOX_PROFILE = "gopls",
    -- GOPLS_SANDBOX_WORKSPACE = "/path/to/project", -- default: the directory nvim starts gopls in
  },
})
-- Built-in client without lspconfig (Neovim 0.11+):
-- vim.lsp.config("gopls", { cmd = { "gopls-sandbox" }, filetypes = { "go", "gomod" },
--   root_markers = { "go.mod", ".git" } })
-- vim.lsp.enable("gopls")
