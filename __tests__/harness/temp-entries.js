// What docknet's tests (and the cdktf, terraform and lab tools they drive) put in a temp folder.
module.exports.TMP_PATTERN = /^(cdktf\.outdir\.|terraform_\d+\.sh$|dn-|dnboot-|docknet-)/;
