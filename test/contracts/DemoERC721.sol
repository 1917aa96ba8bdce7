// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IDemoERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

/// @title Demo ERC-721 of the blockwire local stack.
/// @notice Self-contained; `mint` (sequential token ids from 1) and `burn` are open to anyone.
contract DemoERC721 {
    string public name;
    string public symbol;
    uint256 public totalSupply;
    uint256 public nextTokenId = 1;

    mapping(uint256 => address) private _owners;
    mapping(address => uint256) private _balances;
    mapping(uint256 => address) public getApproved;
    mapping(address => mapping(address => bool)) public isApprovedForAll;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd || interfaceId == 0x5b5e139f;
    }

    function balanceOf(address owner) external view returns (uint256) {
        require(owner != address(0), "DemoERC721: zero address");
        return _balances[owner];
    }

    function ownerOf(uint256 tokenId) public view returns (address) {
        address owner = _owners[tokenId];
        require(owner != address(0), "DemoERC721: nonexistent token");
        return owner;
    }

    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return "";
    }

    function approve(address to, uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        require(msg.sender == owner || isApprovedForAll[owner][msg.sender], "DemoERC721: not owner");
        getApproved[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    function setApprovalForAll(address operator, bool approved) external {
        isApprovedForAll[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function transferFrom(address from, address to, uint256 tokenId) public {
        address owner = ownerOf(tokenId);
        require(owner == from, "DemoERC721: from is not the owner");
        require(to != address(0), "DemoERC721: transfer to the zero address");
        require(
            msg.sender == owner || getApproved[tokenId] == msg.sender || isApprovedForAll[owner][msg.sender],
            "DemoERC721: not owner nor approved"
        );
        delete getApproved[tokenId];
        _balances[from] -= 1;
        _balances[to] += 1;
        _owners[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        _checkReceiver(from, to, tokenId, data);
    }

    /// @notice Mints the next token id to `to` and returns it.
    function mint(address to) external returns (uint256 tokenId) {
        require(to != address(0), "DemoERC721: mint to the zero address");
        tokenId = nextTokenId++;
        _balances[to] += 1;
        _owners[tokenId] = to;
        totalSupply += 1;
        emit Transfer(address(0), to, tokenId);
    }

    /// @notice Burns `tokenId`; only its owner or an approved operator may.
    function burn(uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        require(
            msg.sender == owner || getApproved[tokenId] == msg.sender || isApprovedForAll[owner][msg.sender],
            "DemoERC721: not owner nor approved"
        );
        delete getApproved[tokenId];
        _balances[owner] -= 1;
        delete _owners[tokenId];
        totalSupply -= 1;
        emit Transfer(owner, address(0), tokenId);
    }

    function _checkReceiver(address from, address to, uint256 tokenId, bytes memory data) private {
        if (to.code.length == 0) return;
        bytes4 answer = IDemoERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data);
        require(answer == IDemoERC721Receiver.onERC721Received.selector, "DemoERC721: receiver rejected");
    }
}
