# bash completion for gopls-sandbox                                    -*- shell-script -*-
# Installed as share/bash-completion/completions/gopls-sandbox.

_gopls_sandbox_profiles() {
  # Profile names from `profile list --json` (the launcher's own search path).
  "${1:-gopls-sandbox}" profile list --json 2>/dev/null |
    grep -o '"name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | sort -u
}

_gopls_sandbox() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -n : || return
  else
    cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
  fi
  local prog=${words[0]}

  local commands="run exec profile learn diagnose inspect doctor help"
  local sandbox_opts="--workspace --bind --ro-bind --share-net --gopls --profile --log --metrics
    --inode-check --dry-run -v --verbose --help"

  # Called through the `gopls` link everything goes to gopls: nothing to complete.
  [[ ${prog##*/} == gopls ]] && return

  # Arguments after `--` belong to gopls or the program.
  local i
  for ((i = 1; i < cword; i++)); do
    if [[ ${words[i]} == -- ]]; then
      [[ ${words[1]} == exec ]] && (( i == cword - 1 )) && COMPREPLY=($(compgen -c -- "$cur"))
      [[ ${words[1]} == exec ]] && (( i < cword - 1 )) && COMPREPLY=($(compgen -f -- "$cur"))
      return
    fi
  done

  if ((cword == 1)); then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi

  # Option values.
  case $prev in
    --workspace | --home | --goroot | --gomodcache | --gocache)
      COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --bind | --ro-bind | --log | --metrics | -o | --output | --vscode-settings)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --gopls)
      COMPREPLY=($(compgen -c -- "$cur") $(compgen -f -- "$cur")); return ;;
    --profile | --base | -b)
      COMPREPLY=($(compgen -W "$(_gopls_sandbox_profiles "$prog") none" -- "$cur") $(compgen -f -X '!*.toml' -- "$cur"))
      return ;;
    --inode-check)
      COMPREPLY=($(compgen -W "off warn strict" -- "$cur")); return ;;
    --format)
      COMPREPLY=($(compgen -W "bpf oci-json" -- "$cur")); return ;;
    --delivery)
      COMPREPLY=($(compgen -W "errno notify learn" -- "$cur")); return ;;
    --timeout | --name | --description | --max-unparsed)
      return ;;
  esac

  case ${words[1]} in
    run | exec)
      COMPREPLY=($(compgen -W "$sandbox_opts --" -- "$cur")) ;;
    learn)
      COMPREPLY=($(compgen -W "-o --output --base --exec --workspace --bind --ro-bind --share-net
        --gopls -v --verbose --help --" -- "$cur")) ;;
    diagnose)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--json --workspace --goroot --gomodcache --gocache --home
          --share-net -v --verbose --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi ;;
    inspect)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(pgrep -x gopls 2>/dev/null)" -- "$cur"))
      fi ;;
    doctor)
      COMPREPLY=($(compgen -W "--json --workspace --gopls --timeout --no-startup --vscode-settings
        --help" -- "$cur")) ;;
    profile)
      if ((cword == 2)); then
        COMPREPLY=($(compgen -W "list check show export generate --help" -- "$cur"))
        return
      fi
      case ${words[2]} in
        list) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
        check | show | export)
          if [[ $cur == -* ]]; then
            local o="--json --help"
            [[ ${words[2]} == show ]] && o+=" --groups"
            [[ ${words[2]} == export ]] && o="--format -o --output --delivery --help"
            COMPREPLY=($(compgen -W "$o" -- "$cur"))
          else
            COMPREPLY=($(compgen -W "$(_gopls_sandbox_profiles "$prog")" -- "$cur") $(compgen -f -X '!*.toml' -- "$cur"))
          fi ;;
        generate)
          if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--strace -s --base -b -o --output --json --name --description
              --no-conditions --max-unparsed --help" -- "$cur"))
          else
            COMPREPLY=($(compgen -f -- "$cur"))
          fi ;;
      esac ;;
  esac
}
complete -F _gopls_sandbox -o filenames gopls-sandbox
